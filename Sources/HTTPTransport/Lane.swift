import AsyncPrimitives

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
}
