import Synchronization

/// A store that can tell quickly whether a write would land now: what `/readyz` asks.
///
/// Why not `load`: the PostgreSQL backend's calls retry with backoff (10-12 s with the server
/// stopped) and block for as long as a frozen server does, and a read succeeds on a full or
/// read-only disk. A probe is one attempt, bounded by `timeout` whatever the backend does; the
/// attempt it gave up on may finish in the background, and no second one starts meanwhile.
public protocol WritableProbe: Sendable {
    /// Returns when the store can take a write; throws `StateStoreError` saying why not (ENOSPC,
    /// EROFS, a standby server, no answer within `timeout`).
    func probeWritable(environment: String, timeout: Duration) async throws
}

extension FileStateStore: WritableProbe {}
extension PostgresStateStore: WritableProbe {}

/// One probe at a time per store, each abandoned after its deadline.
final class ProbeGate: Sendable {
    private let inFlight = Mutex(false)

    /// Runs `probe` unless one is still running, and answers within `timeout`.
    func run(_ what: String, timeout: Duration, _ probe: @escaping @Sendable () async throws -> Void) async throws {
        let started = inFlight.withLock { busy in
            if busy { return false }
            busy = true
            return true
        }
        guard started else {
            throw StateStoreError(.unavailable, "\(what): the previous readiness probe has not finished")
        }
        let outcome = Outcome()
        let work = Task {
            defer { self.inFlight.withLock { $0 = false } }
            do {
                try await probe()
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            outcome.finish(StateStoreError(.unavailable, "\(what): no answer within \(timeout)"))
        }
        defer {
            timer.cancel()
            _ = work
        }
        if let error = await outcome.value() { throw error }
    }

    /// The first of the probe's result and the deadline.
    private final class Outcome: Sendable {
        private struct State {
            var result: (any Error)??
            var waiter: CheckedContinuation<(any Error)?, Never>?
        }
        private let state = Mutex(State())

        func finish(_ error: (any Error)?) {
            let waiter = state.withLock { state -> CheckedContinuation<(any Error)?, Never>? in
                guard state.result == nil else { return nil }
                state.result = .some(error)
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: error)
        }

        func value() async -> (any Error)? {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> (any Error)?? in
                    if let result = state.result { return .some(result) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
