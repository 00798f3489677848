public import AsyncPrimitives

/// Timeouts and retry policy of every platform call.
public struct TransportConfiguration: Sendable, Equatable {
    /// Bound on establishing the connection.
    public var connectTimeout: Duration
    /// Bound on one whole request, connect included.
    public var requestTimeout: Duration
    /// Attempts per call, the first included (429, 5xx and network failures are retried).
    public var maxAttempts: Int
    /// Delays between attempts after 5xx and network failures.
    public var backoff: Backoff
    /// The longest `Retry-After` waited out; a 429 asking for longer fails with `rateLimited`
    /// (retryable), so a reconcile loop is not parked for an hour inside one call.
    public var maximumRetryAfter: Duration
    /// Random extra delay, up to this, added to a `Retry-After` so replicas do not retry in step
    /// (Vercel's CLI adds up to 30 s, docs/platforms.md).
    public var retryAfterJitter: Duration

    public init(
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        maxAttempts: Int = 5,
        backoff: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(20)),
        maximumRetryAfter: Duration = .seconds(120),
        retryAfterJitter: Duration = .seconds(2)
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.maximumRetryAfter = maximumRetryAfter
        self.retryAfterJitter = retryAfterJitter
    }
}
