import Hummingbird
import NIOCore
import NIOHTTP1

/// Reading a request body under the configured size limit.
enum RequestBody {
    /// The whole body, or a 413 answer: at once when `Content-Length` already says it is too large,
    /// else as soon as more than `limit` bytes arrive (chunked bodies included).
    ///
    /// A body that cannot be read is the client's doing (it stopped sending, aborted, sent broken
    /// chunks): a 4xx answer, never an unexpected error.
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
        } catch let timeout as RequestReadTimeout {
            throw APIError.requestTimeout(timeout.limit)
        } catch let error as HTTPParserError {
            throw APIError.forParserError(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw APIError.incompleteBody
        }
    }
}
