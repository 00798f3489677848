public import Foundation

extension HTTPResponse {
    /// How long the server asks the client to wait (`Retry-After`, RFC 9110 §10.2.3), for 429 and 503.
    ///
    /// - Parameter now: the current time, against which an HTTP-date is measured.
    /// - Returns: the delay for a number of seconds or an HTTP-date (zero for a date in the past),
    ///   or nil when the header is missing or holds anything else.
    public func retryAfter(now: Date = Date()) -> Duration? {
        guard let value = header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let seconds = Int64(value) else { return nil }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64(interval * 1000)) : .zero
    }
}

/// Parses the three date formats HTTP allows (RFC 9110 §5.6.7).
enum HTTPDate {
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss zzz",  // obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy",  // obsolete asctime: Sun Nov  6 08:49:37 1994
    ]

    static func parse(_ text: String) -> Date? {
        // A formatter per call: Retry-After is rare, and DateFormatter is not Sendable.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.isLenient = false
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }
}
