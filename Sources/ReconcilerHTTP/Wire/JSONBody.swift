import ClipnetContracts
import Foundation
import Hummingbird
import Reconciler

/// Building JSON answers and reading JSON requests, in the encoding every consumer of the daemon
/// sees (`StatusDocument.encoder()`: sorted keys, RFC 3339 UTC times with milliseconds).
enum JSONBody {
    static let contentType = "application/json; charset=utf-8"

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try StatusDocument.encoder().encode(value)
        return response(bytes: ByteBuffer(bytes: data), status: status)
    }

    static func response(bytes: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: bytes))
    }

    static func error(_ error: APIError) -> Response {
        var response = response(bytes: ByteBuffer(string: errorText(error)), status: error.status)
        for (name, value) in error.headers { response.headers[name] = value }
        return response
    }

    /// `{"error":{"code","message"}}`, also written by `ConnectionGuard` below the router.
    static func errorText(_ error: APIError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Two strings cannot fail to encode; the fallback only keeps the signature non-throwing.
        guard let data = try? encoder.encode(ErrorAnswer(code: error.code, message: error.message)) else {
            return #"{"error":{"code":"internal_error","message":"internal error"}}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a request body. An empty body decodes as `{}` (every operator request has optional
    /// fields only, or says which field is missing). Decoding errors become 400 answers that name
    /// the field, never the body.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        let bytes = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(type, from: bytes)
        } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_json", describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.codingPath.isEmpty ? "the body must be a JSON object" : "field '\(path(context.codingPath))' has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "field '\(path(context.codingPath))' is invalid"
        @unknown default:
            return "the body is not valid JSON"
        }
    }

}
