/// Checks a request before it reaches libcurl, and renders its header lines.
///
/// Why: a CR or LF in a header or URL would let a caller's data inject extra header lines, and a
/// non-HTTP scheme (`file://`, `gopher://`) has no business in a platform client.
enum RequestValidation {
    static func validate(_ request: HTTPRequest) throws(HTTPTransportError) {
        let shown = "\(request.method) \(RedactedURL(request.url))"
        let lowered = request.url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw HTTPTransportError(.invalidRequest, "\(shown): only http:// and https:// URLs are supported")
        }
        guard !request.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPTransportError(.invalidRequest, "\(shown): the URL contains spaces or control characters")
        }
        guard !request.method.rawValue.isEmpty, request.method.rawValue.utf8.allSatisfy(isTokenByte) else {
            throw HTTPTransportError(.invalidRequest, "\(shown): invalid method")
        }
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(isTokenByte) else {
                throw HTTPTransportError(.invalidRequest, "\(shown): invalid header name \"\(field.name)\"")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                // The value is not quoted: it may be a token.
                throw HTTPTransportError(.invalidRequest, "\(shown): the value of header \(field.name) contains CR, LF or NUL")
            }
        }
    }

    /// `Name: value` lines for libcurl, plus `Expect:` (no 100-continue round trip for large
    /// bodies) and, for a body without a declared type, `Content-Type:` (so libcurl does not
    /// claim form encoding).
    static func headerLines(for request: HTTPRequest) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 2)
        for field in request.headers {
            // "Name:" would remove a header in libcurl; "Name;" is its syntax for an empty value.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if request.body != nil || [.post, .put, .patch].contains(request.method), !request.headers.contains("Content-Type") {
            lines.append("Content-Type:")
        }
        return lines
    }

    /// RFC 9110 token characters.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
