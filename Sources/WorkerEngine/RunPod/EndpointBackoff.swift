import Synchronization

/// The "not before" instant of one RunPod endpoint, shared by every call this worker makes to it.
///
/// Why: a 429 says the endpoint (not one request) is over its rate; if each job backed off on its
/// own, the other jobs of the worker would keep hitting the limit. After a 429 every call waits
/// until the endpoint's reset, and repeated 429s push it further out.
public final class EndpointBackoff: Sendable {
    private let notBefore = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    /// Records a 429 answered at `now` that asked for `delay`.
    public func rateLimited(for delay: Duration, now: ContinuousClock.Instant = .now) {
        let until = now + delay
        notBefore.withLock { current in
            if current.map({ $0 < until }) ?? true { current = until }
        }
    }

    /// How long a call made at `now` must wait before it is sent (zero when it may go at once).
    public func remainingDelay(now: ContinuousClock.Instant = .now) -> Duration {
        notBefore.withLock { current in
            guard let until = current, until > now else { return .zero }
            return until - now
        }
    }

    /// Sleeps for `remainingDelay()`.
    public func waitTurn() async throws {
        let delay = remainingDelay()
        if delay > .zero { try await Task.sleep(for: delay) }
    }
}
