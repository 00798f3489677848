import Foundation

/// Parses a `multipart/form-data` body (RFC 7578) into its named parts, as the Upload API
/// receives a file. Only what Cloudinary's SDKs send is handled: one level, no nested multipart.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var parts: [Part] = []

    /// Nil when the content type has no boundary or the body is not well formed.
    init?(contentType: String, body: [UInt8]) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let range = contentType.range(of: "boundary=")
        else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var index = 0
        guard let first = Self.find(delimiter, in: body, from: 0) else { return nil }
        index = first + delimiter.count
        while true {
            // After a delimiter: "--" ends the body, "\r\n" starts a part.
            if body.count >= index + 2, body[index] == UInt8(ascii: "-"), body[index + 1] == UInt8(ascii: "-") { return }
            guard body.count >= index + 2 else { return nil }
            index += 2
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: index) else { return nil }
            let headers = String(decoding: body[index..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else { return nil }
            guard let name = Self.attribute("name", in: headers) else { return nil }
            parts.append(Part(name: name, filename: Self.attribute("filename", in: headers), bytes: Array(body[contentStart..<next])))
            index = next + 2 + delimiter.count
        }
    }

    func value(_ name: String) -> String? { parts.first { $0.name == name }?.text }
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    private static func attribute(_ name: String, in headers: String) -> String? {
        guard let range = headers.range(of: "\(name)=\"") else { return nil }
        let rest = headers[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
