import Hummingbird
import NIOCore

/// Reading a request body under the configured size limit.
enum RequestBody {
    /// The whole body, or a 413 answer: at once when `Content-Length` already says it is too large,
    /// else as soon as more than `limit` bytes arrive (chunked bodies included).
    static func collect(_ request: inout Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }
}
