import AsyncPrimitives
import Foundation
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
        let configuration = self.configuration
        return try await onLane { lane, cancellation in
            try lane.perform(request, configuration: configuration, cancellation: cancellation)
        }
    }

    /// Sends `request` and writes a 2xx response body to the file at `path` as it arrives, never
    /// holding more of it than one piece libcurl hands over (`streamingBufferSize`).
    ///
    /// The file is created, or truncated, with mode 0600. It exists after the call only when the
    /// answer is 2xx: after an error, a cancellation, or another status it has been removed (the
    /// returned response then holds the first 64 KiB of that status's body).
    /// - Parameter maximumBodySize: a longer body, announced or arriving, fails with
    ///   `.responseTooLarge` as soon as that is known.
    /// - Throws: `HTTPTransportError`; `CancellationError` when the task was cancelled.
    public func download(_ request: HTTPRequest, to path: String, maximumBodySize: Int) async throws -> HTTPStreamedResponse {
        if Task.isCancelled {
            unlink(path)
            throw CancellationError()
        }
        let configuration = self.configuration
        return try await onLane { lane, cancellation in
            try lane.performStreaming(
                request, body: nil, maximumBodySize: nil, download: (path, max(0, maximumBodySize)),
                configuration: configuration, cancellation: cancellation)
        }
    }

    /// Sends `request` with `body` read piece by piece as libcurl sends it (a Content-Length of
    /// the files' sizes when the transfer starts), and returns the response (its body in memory,
    /// within `Configuration.maximumResponseSize`).
    ///
    /// POST sends a POST with that body; any other method is sent as an upload (PUT semantics
    /// with the method's name). `request.body` must be nil.
    /// - Parameter maximumBodySize: a larger body fails with `.requestTooLarge` before anything is sent.
    /// - Throws: `HTTPTransportError` (`.invalidRequest` when a file cannot be opened);
    ///   `CancellationError` when the task was cancelled.
    public func upload(_ request: HTTPRequest, body: HTTPBodyStream, maximumBodySize: Int? = nil) async throws -> HTTPStreamedResponse {
        let configuration = self.configuration
        return try await onLane { lane, cancellation in
            try lane.performStreaming(
                request, body: body, maximumBodySize: maximumBodySize, download: nil,
                configuration: configuration, cancellation: cancellation)
        }
    }

    /// The buffer libcurl uses for a streamed body in each direction: the most of the body the
    /// transport holds at one time.
    public static let streamingBufferSize = 256 << 10

    /// How much of a non-2xx answer's body a download keeps in memory.
    static let errorBodyLimit = 64 << 10

    /// Runs `work` on the least busy lane; cancelling the calling task sets the flag libcurl's
    /// progress callback checks.
    private func onLane<Result: Sendable>(
        _ work: @escaping @Sendable (Lane, CancellationFlag) throws -> Result
    ) async throws -> Result {
        try Task.checkCancellation()
        let index = busy.withLock { counts in
            let index = counts.indices.min { counts[$0] < counts[$1] }!
            counts[index] += 1
            return index
        }
        defer { busy.withLock { $0[index] -= 1 } }
        let lane = lanes[index]
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await lane.queue.run { try work(lane, cancellation) }
        } onCancel: {
            cancellation.cancel()
        }
    }
}
