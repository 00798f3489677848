import Dispatch
import Synchronization

/// Waits for a fetch or its deadline, whichever comes first.
///
/// Why: a libgit2 call cannot be interrupted, and name resolution has no timeout at all, so the
/// caller must be able to stop waiting. When the deadline (or the caller's cancellation) wins, the
/// fetch's sockets are shut down so libgit2 unwinds soon, and the fetch finishes on its own queue
/// with nobody waiting for it.
enum FetchRace {
    static func run(
        deadline: ContinuousClock.Instant, scope: FetchNetworkScope, _ work: @escaping @Sendable () async throws -> Void
    ) async throws {
        let outcome = Outcome()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                outcome.attach(continuation)
                let watchdog = Watchdog(deadline: deadline) {
                    scope.abandon()
                    outcome.finish(.failure(GitError(.deadlineExceeded, DeadlineSocketStream.deadlineMessage, function: "git_remote_fetch")))
                }
                Task {
                    let result: Result<Void, any Error>
                    do {
                        try await work()
                        result = .success(())
                    } catch { result = .failure(error) }
                    watchdog.cancel()
                    outcome.finish(result)
                }
            }
        } onCancel: {
            scope.abandon()
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// Fires `action` once at `deadline` unless cancelled first. A dispatch timer rather than a
    /// sleeping task: a cancelled `Task.sleep` leaves its timer queued until the deadline, about
    /// 1 KB per fetch held for the whole timeout; a cancelled source is freed at once.
    private final class Watchdog: @unchecked Sendable {
        private static let queue = DispatchQueue(label: "git.mirror.fetch-watchdog")
        private let timer: any DispatchSourceTimer

        init(deadline: ContinuousClock.Instant, action: @escaping @Sendable () -> Void) {
            let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
            timer = DispatchSource.makeTimerSource(queue: Self.queue)
            timer.schedule(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds)))
            timer.setEventHandler(handler: action)
            timer.resume()
        }

        /// Thread-safe (dispatch sources may be cancelled from any thread).
        func cancel() { timer.cancel() }
    }

    /// Resumes the waiting caller once, with the first result to arrive.
    private final class Outcome: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<Void, any Error>?, early: Result<Void, any Error>?, done: Bool)>(
            (nil, nil, false))

        func attach(_ continuation: CheckedContinuation<Void, any Error>) {
            let early: Result<Void, any Error>? = state.withLock { state in
                if let early = state.early {
                    state.done = true
                    state.early = nil
                    return early
                }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        func finish(_ result: Result<Void, any Error>) {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                guard !state.done else { return nil }
                guard let continuation = state.continuation else {
                    if state.early == nil { state.early = result }
                    return nil
                }
                state.done = true
                state.continuation = nil
                return continuation
            }
            continuation?.resume(with: result)
        }
    }
}
