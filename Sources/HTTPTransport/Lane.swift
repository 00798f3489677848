import AsyncPrimitives
import Foundation

/// One reusable easy handle and the serial queue that alone touches it.
///
/// `@unchecked Sendable`: `handle` is created and used only inside work items on `queue`, which
/// runs them one at a time; the other properties are immutable.
final class Lane: @unchecked Sendable {
    let queue: SerialBlockingQueue
    private var handle: EasyHandle?

    init(index: Int) {
        queue = SerialBlockingQueue(label: "http.lane.\(index)")
    }

    /// Runs on `queue`. The handle is made on first use, so building a client cannot fail.
    func perform(_ request: HTTPRequest, configuration: HTTPClient.Configuration, cancellation: CancellationFlag) throws -> HTTPResponse {
        if cancellation.isCancelled { throw CancellationError() }
        let handle = try self.handle ?? EasyHandle.make()
        self.handle = handle
        return try handle.perform(
            request,
            maximumResponseSize: configuration.maximumResponseSize,
            userAgent: configuration.userAgent,
            cancellation: cancellation
        )
    }

    /// Runs on `queue`: a transfer with a streamed request body, or a response body streamed into
    /// the file `download.path` (created or truncated here). Whatever happens, the file is gone
    /// afterwards unless the answer was 2xx and arrived whole: it is removed on errors, on
    /// cancellation and after any other status, before this returns or throws.
    func performStreaming(
        _ request: HTTPRequest, body: HTTPBodyStream?, maximumBodySize: Int?, download: (path: String, limit: Int)?,
        configuration: HTTPClient.Configuration, cancellation: CancellationFlag
    ) throws -> HTTPStreamedResponse {
        var keepFile = false
        defer { if let download, !keepFile { unlink(download.path) } }
        if cancellation.isCancelled { throw CancellationError() }
        let reader = try body.map { stream throws(HTTPTransportError) in try BodyReader.open(stream) }
        if let reader, let maximumBodySize, reader.length > Int64(maximumBodySize) {
            throw HTTPTransportError(
                .requestTooLarge,
                "\(request.method) \(RedactedURL(request.url)): the body has \(reader.length) bytes, over the limit of \(maximumBodySize)")
        }
        let sink = try download.map { target throws(HTTPTransportError) in try FileSink.create(path: target.path, limit: Int64(target.limit)) }
        let handle = try self.handle ?? EasyHandle.make()
        self.handle = handle
        let response = try handle.perform(
            request,
            maximumResponseSize: sink == nil ? configuration.maximumResponseSize : min(configuration.maximumResponseSize, HTTPClient.errorBodyLimit),
            userAgent: configuration.userAgent,
            cancellation: cancellation,
            bodyReader: reader,
            sink: sink
        )
        if let sink, !sink.finish() {
            throw HTTPTransportError(
                .other,
                "\(request.method) \(RedactedURL(request.url)): could not write the response body to \(sink.path): \(String(cString: strerror(sink.writeError ?? EIO)))"
            )
        }
        keepFile = response.isSuccess
        return HTTPStreamedResponse(
            response: response,
            bodyBytes: sink?.written ?? reader?.sent ?? 0,
            largestChunk: max(sink?.largestChunk ?? 0, reader?.largestChunk ?? 0)
        )
    }
}
