public import AsyncPrimitives

/// How a worker process takes and runs jobs.
public struct ProcessorConfiguration: Sendable {
    /// Jobs run at once by this process (one Redis connection and in-flight list each).
    public var concurrency: Int
    /// How long an idle slot blocks on Redis (BLMOVE) before checking for shutdown.
    public var blockTimeout: Duration
    /// After SIGTERM, how long running jobs may take before they are interrupted and returned.
    public var gracePeriod: Duration
    public var retry: RetryPolicy
    public var deadSetCapacity: Int
    /// How long an acknowledged idempotency key is remembered.
    public var idempotencyTTL: Duration
    /// Wait between attempts to reach Redis again after a broken connection.
    public var reconnectBackoff: Backoff
    /// Bound on each Redis command (the blocking wait gets more).
    public var commandTimeout: Duration

    public init(
        concurrency: Int = 8,
        blockTimeout: Duration = .seconds(1),
        gracePeriod: Duration = .seconds(25),
        retry: RetryPolicy = RetryPolicy(),
        deadSetCapacity: Int = 10_000,
        idempotencyTTL: Duration = .seconds(7 * 86_400),
        reconnectBackoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5)),
        commandTimeout: Duration = .seconds(5)
    ) {
        self.concurrency = max(1, concurrency)
        self.blockTimeout = blockTimeout
        self.gracePeriod = gracePeriod
        self.retry = retry
        self.deadSetCapacity = deadSetCapacity
        self.idempotencyTTL = idempotencyTTL
        self.reconnectBackoff = reconnectBackoff
        self.commandTimeout = commandTimeout
    }
}
