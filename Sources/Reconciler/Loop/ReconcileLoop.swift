public import AsyncPrimitives
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Why a pass runs. Several triggers that arrive during one pass are folded into one follow-up.
public enum ReconcileTrigger: String, Sendable, Hashable, CaseIterable {
    case startup
    case newHead
    case timer
    case operatorRequest
    case webhook
    /// A platform webhook said a deployment of the rollout in flight changed.
    case platformEvent
    /// GitHub said a CI check of the revision waiting at the release gate changed.
    case checksChanged
}

/// The control loop: runs reconcile passes one at a time, on request or on a jittered timer (the
/// drift check). Requests that arrive while a pass runs are coalesced into exactly one follow-up
/// pass that carries all their triggers, so a burst of pushes or clicks never queues a backlog and
/// passes never overlap.
public final class ReconcileLoop: Service, Sendable {
    /// One pass; gets the triggers that caused it, returns how it went.
    public typealias Pass = @Sendable (Set<ReconcileTrigger>) async -> PassReport

    private let pass: Pass
    private let interval: Duration
    private let jitter: Double
    private let retryBackoff: Backoff
    private let pacing: @Sendable () -> Double
    private let doorbell = Doorbell()
    private let state = Mutex(State())
    private let logger: Logger

    private struct State {
        var pending: Set<ReconcileTrigger> = [.startup]
        var last: PassReport?
        var passes = 0
        var consecutiveFailures = 0
    }

    /// - Parameters:
    ///   - interval: time between drift checks when nothing else triggers a pass.
    ///   - jitter: fraction of `interval` randomised either way.
    ///   - retryBackoff: how soon a failed pass runs again (growing with consecutive failures,
    ///     never later than `interval`).
    ///   - pacing: a factor (≥ 1) applied to every wait, read before each one (the request
    ///     budget's stretch). Requests still wake the loop at once.
    public init(
        interval: Duration, jitter: Double = 0.1, retryBackoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(60)),
        logger: Logger = Logger(label: "clipnet.reconciler"), pacing: @escaping @Sendable () -> Double = { 1 }, pass: @escaping Pass
    ) {
        self.pacing = pacing
        self.interval = interval
        self.jitter = jitter
        self.retryBackoff = retryBackoff
        self.logger = logger
        self.pass = pass
    }

    /// Asks for a pass as soon as the current one (if any) ends.
    public func request(_ trigger: ReconcileTrigger) {
        state.withLock { _ = $0.pending.insert(trigger) }
        doorbell.ring()
    }

    /// The report of the last completed pass.
    public func lastReport() -> PassReport? { state.withLock { $0.last } }

    /// How many passes have completed.
    public func completedPasses() -> Int { state.withLock { $0.passes } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let triggers = state.withLock { state -> Set<ReconcileTrigger> in
                    defer { state.pending.removeAll() }
                    return state.pending.isEmpty ? [.timer] : state.pending
                }
                let report = await pass(triggers)
                let failures = state.withLock {
                    $0.last = report
                    $0.passes += 1
                    $0.consecutiveFailures = report.result == .failed ? $0.consecutiveFailures + 1 : 0
                    return $0.consecutiveFailures
                }
                var wait = Backoff.jittered(interval, by: jitter)
                switch report.result {
                case .requeued(let after), .waiting(let after): wait = min(wait, after)
                case .failed: wait = min(wait, retryBackoff.delay(afterFailures: failures))
                case .succeeded, .stalled: break
                }
                let stretch = max(1, pacing())
                if stretch > 1 { wait = wait * stretch }
                await waitForWork(upTo: wait)
            }
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
        logger.info("Reconcile loop stopped")
    }

    /// Sleeps until a request is pending or `duration` has passed. The pending set, not the
    /// doorbell, is the source of truth: a ring whose trigger an earlier pass already took is
    /// consumed without cutting the wait short.
    private func waitForWork(upTo duration: Duration) async {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if state.withLock({ !$0.pending.isEmpty }) {
                await doorbell.wait(upTo: .zero)
                return
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero, await doorbell.wait(upTo: remaining) else { return }
        }
    }
}
