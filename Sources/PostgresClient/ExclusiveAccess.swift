import Synchronization

/// A first-come, first-served async lock: one task at a time owns the connection.
///
/// Why: a PostgreSQL session is a conversation. Two tasks sharing one `PostgresConnection`
/// must not interleave their statements inside each other's transactions, so `query` holds the
/// lock for one statement and `transaction` for the whole BEGIN ... COMMIT. Waiters queue in
/// arrival order, so no writer starves.
final class ExclusiveAccess: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    init() {}

    func withAccess<Result>(_ body: () async throws -> Result) async throws -> Result {
        await acquire()
        defer { release() }
        try Task.checkCancellation()
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the lock straight to the next waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
