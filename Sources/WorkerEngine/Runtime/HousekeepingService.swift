public import Logging
public import ServiceLifecycle

/// The worker's periodic chores: promote due retries and delayed jobs to the queue, reap the
/// in-flight jobs of dead workers, and sample the queue depth for `/metrics`. Every worker runs
/// it; the scripts are atomic, so several workers doing it at once is harmless.
public final class HousekeepingService: Service {
    public let queue: JobQueue
    public let workerID: String
    public let promoteInterval: Duration
    public let reapInterval: Duration
    private let metrics: WorkerMetrics
    private let logger: Logger

    /// Attempts of a job whose envelope does not say, for the jobs of dead workers.
    public let defaultMaxAttempts: Int

    public init(
        queue: JobQueue, workerID: String, metrics: WorkerMetrics, promoteInterval: Duration = .milliseconds(100),
        reapInterval: Duration = .seconds(3), defaultMaxAttempts: Int = RetryPolicy().defaultMaxAttempts, logger: Logger
    ) {
        self.queue = queue
        self.defaultMaxAttempts = defaultMaxAttempts
        self.workerID = workerID
        self.metrics = metrics
        self.promoteInterval = promoteInterval
        self.reapInterval = reapInterval
        self.logger = logger
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var lastReap = clock.now - reapInterval
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                _ = try await queue.promoteDue()
                if clock.now - lastReap >= reapInterval {
                    lastReap = clock.now
                    let reaped = try await queue.reap(excluding: workerID, defaultMaxAttempts: defaultMaxAttempts)
                    if reaped.total > 0 {
                        metrics.addReaped(reaped.total)
                        for type in reaped.deadLettered { metrics.count(.dead, type: type) }
                        logger.warning(
                            "Took back the jobs of dead workers",
                            metadata: [
                                "jobs.returned": "\(reaped.returned)", "jobs.dead": "\(reaped.deadLettered.count)",
                            ])
                    }
                    metrics.setDepth(try await queue.depth())
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 50 == 0 {
                    logger.warning("Housekeeping failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.promoteInterval) }
        }
    }
}
