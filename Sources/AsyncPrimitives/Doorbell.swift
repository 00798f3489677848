import Synchronization

/// A wake-up signal for one waiting loop: `ring()` from anywhere wakes `wait(upTo:)` early.
///
/// Why: poll loops (the git watcher, the reconcile timer) sleep between passes but must react at
/// once to a webhook or an operator request. Rings that arrive while nobody waits are remembered
/// (coalesced into one), so a trigger is never lost between two waits.
public final class Doorbell: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the current waiter, or the next one if none is waiting.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until `ring()` is called or `duration` has passed, whichever comes first.
    /// - Returns: `true` when woken by a ring, `false` on timeout or cancellation.
    @discardableResult
    public func wait(upTo duration: Duration) async -> Bool {
        if consumePending() { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                return false
            }
            group.addTask { await self.waitForRing() }
            let first = await group.next() ?? false
            group.cancelAll()
            return first && !Task.isCancelled
        }
    }

    private func consumePending() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return state.pending
        }
    }

    private func waitForRing() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            return true
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
