/// Times calls to other services into `WorkerMetrics.observeExternal`, when there are metrics.
///
/// Why a value passed around rather than a global: tests and the benchmark run several workers in
/// one process, each with its own metrics.
public struct ExternalCallTimer: Sendable {
    public let metrics: WorkerMetrics?

    public init(metrics: WorkerMetrics?) {
        self.metrics = metrics
    }

    @discardableResult
    public func time<T>(_ service: String, _ body: () async throws -> T) async throws -> T {
        guard let metrics else { return try await body() }
        let clock = ContinuousClock()
        let start = clock.now
        defer { metrics.observeExternal(service, duration: clock.now - start) }
        return try await body()
    }
}
