import Foundation

/// A `multipart/form-data` body (RFC 7578), as Cloudinary's Upload API takes a file.
struct MultipartFormData {
    let boundary = "clipnet-\(UUID().uuidString.lowercased())"
    private(set) var body: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, _ value: String) {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, bytes: [UInt8]) {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        body += bytes
        body += Array("\r\n".utf8)
    }

    func finished() -> [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }
}
