import Foundation
import HTTPTransport

/// A `multipart/form-data` body (RFC 7578), as Cloudinary's Upload API takes a file, built as a
/// stream: the form fields as bytes, the file read from disk while it is sent, the closing
/// boundary as bytes. The file is never loaded into memory.
struct MultipartFormData {
    let boundary = "clipnet-\(UUID().uuidString.lowercased())"
    private(set) var fields: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, _ value: String) {
        fields += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }

    /// The whole body with the file at `path` as the last part, and how many bytes it adds to the
    /// file's own (the fields, the part's header and the closing boundary).
    func streamed(fileField name: String, filename: String, contentType: String, path: String) -> (body: HTTPBodyStream, overhead: Int) {
        let head =
            fields
            + Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n"
                    .utf8)
        let tail = Array("\r\n--\(boundary)--\r\n".utf8)
        return (HTTPBodyStream([.bytes(head), .file(path), .bytes(tail)]), head.count + tail.count)
    }
}
