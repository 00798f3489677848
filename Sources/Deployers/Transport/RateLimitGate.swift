import Synchronization

/// Remembers until when a platform asked not to be called (`Retry-After`), so the same request is
/// never sent again earlier: not by the transport's own retries, and not by the next call of a
/// reconcile pass (which gets `rateLimited` with the time left, without a request being sent).
///
/// Vercel limits each endpoint on its own (docs/platforms.md), so it is keyed by operation
/// there; Railway counts every request of the token against one budget, so one key covers all.
final class RateLimitGate: Sendable {
    enum Scope: Sendable {
        case perOperation
        case wholePlatform
    }

    let scope: Scope
    private let notBefore = Mutex<[String: ContinuousClock.Instant]>([:])

    init(scope: Scope) {
        self.scope = scope
    }

    private func key(_ operation: String) -> String { scope == .perOperation ? operation : "*" }

    /// How long `operation` must still wait, or nil when it may be sent now.
    func remaining(for operation: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let key = key(operation)
        return notBefore.withLock { table in
            guard let until = table[key] else { return nil }
            guard until > now else {
                table[key] = nil
                return nil
            }
            return now.duration(to: until)
        }
    }

    /// Records that `operation` may not be sent before `now + delay` (a later time already
    /// recorded is kept).
    func block(_ operation: String, for delay: Duration, now: ContinuousClock.Instant = .now) {
        let key = key(operation)
        let until = now.advanced(by: delay)
        notBefore.withLock { table in
            if let current = table[key], current >= until { return }
            table[key] = until
        }
    }
}
