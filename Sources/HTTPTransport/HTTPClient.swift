import Synchronization

/// Sends HTTP requests through libcurl, off Swift's cooperative pool.
///
/// Requests run on a small pool of lanes, each a serial queue with its own reusable curl handle,
/// so concurrent requests proceed in parallel (up to `Configuration.concurrency`) and sequential
/// ones reuse kept-alive connections. A request goes to the least busy lane (the lowest-numbered
/// one on a tie, which keeps sequential traffic on one connection). Redirects are not followed.
///
/// Cancelling the calling task aborts the transfer (libcurl checks at least once a second).
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Number of lanes: requests in flight at once; more wait for a free lane.
        public var concurrency: Int
        /// Largest accepted response body; a larger one fails with `.responseTooLarge`.
        public var maximumResponseSize: Int
        /// Sent unless the request has its own `User-Agent` header.
        public var userAgent: String

        public init(concurrency: Int = 4, maximumResponseSize: Int = 32 << 20, userAgent: String = "clipnet-reconciler") {
            self.concurrency = max(1, concurrency)
            self.maximumResponseSize = max(0, maximumResponseSize)
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    /// Held so libcurl's global state outlives every handle of this client.
    private let runtime: CurlRuntime
    private let lanes: [Lane]
    private let busy: Mutex<[Int]>

    public init(runtime: CurlRuntime, configuration: Configuration = Configuration()) {
        self.runtime = runtime
        self.configuration = configuration
        self.lanes = (0..<configuration.concurrency).map { Lane(index: $0) }
        self.busy = Mutex(Array(repeating: 0, count: configuration.concurrency))
    }

    /// Sends `request` and returns the response, whatever its status.
    /// - Throws: `HTTPTransportError` when no complete response arrived; `CancellationError`
    ///   when the task was cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let index = busy.withLock { counts in
            let index = counts.indices.min { counts[$0] < counts[$1] }!
            counts[index] += 1
            return index
        }
        defer { busy.withLock { $0[index] -= 1 } }
        let lane = lanes[index]
        let cancellation = CancellationFlag()
        let configuration = self.configuration
        return try await withTaskCancellationHandler {
            try await lane.queue.run { try lane.perform(request, configuration: configuration, cancellation: cancellation) }
        } onCancel: {
            cancellation.cancel()
        }
    }
}
