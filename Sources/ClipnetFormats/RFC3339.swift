public import Foundation

/// RFC 3339 timestamps (`2026-11-25T04:30:00.123Z`), written and read without ICU.
///
/// Why not `ISO8601DateFormatter`: on Linux it goes through ICU, which costs a few milliseconds
/// of CPU per thousand dates and maps about 3 MiB of ICU data into the daemon the first time it
/// runs; the reconciler reads and writes these on every pass.
public enum RFC3339 {
    /// UTC with milliseconds (rounded), `Z` suffix.
    public static func string(from date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var whole = interval.rounded(.down)
        var millis = Int(((interval - whole) * 1000).rounded())
        if millis == 1000 {
            whole += 1
            millis = 0
        }
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        append(Int(parts.tm_year) + 1900, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        append(Int(parts.tm_hour), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        append(millis, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any length, then `Z` or `±HH:MM`
    /// (`t`, `z` and a space for `T` accepted, as RFC 3339 allows). Nil for anything else.
    public static func date(from text: String) -> Date? {
        var utf8 = text.utf8[...]
        guard let year = number(&utf8, digits: 4), expect(&utf8, "-"), let month = number(&utf8, digits: 2), expect(&utf8, "-"),
            let day = number(&utf8, digits: 2), let separator = utf8.popFirst(), [0x54, 0x74, 0x20].contains(separator),
            let hour = number(&utf8, digits: 2), expect(&utf8, ":"), let minute = number(&utf8, digits: 2), expect(&utf8, ":"),
            let second = number(&utf8, digits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if utf8.first == UInt8(ascii: ".") {
            utf8.removeFirst()
            var scale = 0.1
            var digits = 0
            while let byte = utf8.first, (48...57).contains(byte) {
                fraction += Double(byte - 48) * scale
                scale /= 10
                digits += 1
                utf8.removeFirst()
            }
            guard digits > 0 else { return nil }
        }
        var offset = 0
        switch utf8.popFirst() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            break
        case let sign? where sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"):
            guard let hours = number(&utf8, digits: 2), expect(&utf8, ":"), let minutes = number(&utf8, digits: 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (sign == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        guard utf8.isEmpty else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }

    private static func number(_ bytes: inout Substring.UTF8View, digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let byte = bytes.popFirst(), (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func expect(_ bytes: inout Substring.UTF8View, _ character: Unicode.Scalar) -> Bool {
        bytes.popFirst() == UInt8(ascii: character)
    }

    private static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var rest = value
        for index in stride(from: width - 1, through: 0, by: -1) {
            digits[index] = UInt8(48 + rest % 10)
            rest /= 10
        }
        out += digits
    }
}
