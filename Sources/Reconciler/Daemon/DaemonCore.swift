import AsyncPrimitives
import ClipnetContracts
import Deployers
import DriftDetector
import Foundation
import KnownGoodStore
import Logging
import Metrics
import Notifications
import Synchronization

/// The part of the daemon that passes and operator requests share: the reconciler, which store
/// this replica may write through (none while it stands by), and the status board.
final class DaemonCore: Sendable {
    enum Role: Sendable {
        /// Writes go through this store (fenced by the leadership epoch with PostgreSQL).
        case leader(any StateStore)
        case standby
    }

    let reconciler: EnvironmentReconciler
    /// Reads (status, history, readiness) go here, whatever the role.
    let baseStore: any StateStore
    let board: StatusBoard
    let planCache = PlanCache()
    let delivery = DeliveryBook()
    private let role: Mutex<Role>
    /// The pass running now, so losing leadership can cancel it at once.
    private let running = Mutex<Task<PassOutcome, Never>?>(nil)
    private let logger: Logger
    let budget: RequestBudget
    /// The stretch last applied, so a change is logged once, not every pass.
    private let lastStretch = Mutex<Double>(1)
    /// Told after every pass and operator action; nil without notification channels.
    private let notifierSlot = Mutex<Notifier?>(nil)

    init(
        reconciler: EnvironmentReconciler, baseStore: any StateStore, board: StatusBoard, leader: Bool,
        budget: RequestBudget = RequestBudget(perHour: [:]), logger: Logger
    ) {
        self.budget = budget
        self.reconciler = reconciler
        self.baseStore = baseStore
        self.board = board
        self.role = Mutex(leader ? .leader(baseStore) : .standby)
        self.logger = logger
        let access = reconciler.access.snapshot
        board.update {
            $0.leader = leader
            // A missing token shows from the start, not only after the first pass.
            $0.platformAccess = access
        }
    }

    var environment: String { reconciler.dependencies.environment }
    var branch: String { reconciler.dependencies.branch }

    /// The store to write through, or nil on a standby.
    var leaderStore: (any StateStore)? {
        role.withLock { role in
            if case .leader(let store) = role { return store }
            return nil
        }
    }

    var notifier: Notifier? {
        get { notifierSlot.withLock { $0 } }
        set { notifierSlot.withLock { $0 = newValue } }
    }

    /// Asks the notifier for a round (the record or the context may have changed).
    func notify() { notifier?.ring() }

    /// What the notifier needs beyond the store, from the last pass and observation.
    func notificationContext() -> NotificationContext {
        let inputs = board.inputs
        var context = NotificationContext()
        if let pass = inputs.lastPass {
            context.passKnown = true
            if pass.result == .stalled {
                context.stall = .init(
                    key: "\(pass.step ?? "-")/\(pass.reason.map { "\($0)" } ?? "-")", message: pass.message ?? "the last pass stalled")
            }
        }
        if let observation = inputs.observation {
            context.driftKnown = true
            context.reportedDrift = inputs.drift.filter { !$0.healable || inputs.policies[$0.kind] == .report }.map(\.description)
            for service in observation.services.values {
                if let deployment = service.deployment, let url = deployment.dashboardURL { context.deploymentLinks[deployment.id.rawValue] = url }
            }
        }
        for log in inputs.state.failureLogs ?? [] {
            if let link = log.link { context.deploymentLinks[log.deployment] = link }
        }
        return context
    }

    func becomeLeader(_ store: any StateStore) {
        role.withLock { $0 = .leader(store) }
        board.update { $0.leader = true }
        notify()
        logger.info("This replica leads; reconciling", metadata: ["environment": "\(environment)"])
    }

    /// Stops writing at once and cancels the pass in flight: it sends no further platform change
    /// (each one proves leadership first anyway), and the new leader resumes the rollout.
    func becomeStandby() {
        role.withLock { $0 = .standby }
        running.withLock { $0?.cancel() }
        board.update { $0.leader = false }
        logger.info("This replica stands by; another one reconciles", metadata: ["environment": "\(environment)"])
    }

    /// One pass of the loop: a real pass while leading; on a standby, a refresh of the status
    /// from the shared store.
    func runPass(_ triggers: Set<ReconcileTrigger>) async -> PassReport {
        guard let store = leaderStore else {
            await refreshState()
            await refreshDelivery(historySequence: board.inputs.state.historySequence)
            return PassReport(
                result: .succeeded, step: nil, message: "standby: another replica reconciles", reason: nil, startedAt: Date(),
                duration: .zero, steps: [])
        }
        let reconciler = self.reconciler
        let task = Task { await reconciler.pass(triggers, store: store) }
        running.withLock { $0 = task }
        let outcome = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        running.withLock { $0 = nil }
        publish(outcome)
        notify()
        await refreshDelivery(historySequence: outcome.state.historySequence)
        if outcome.report.result != .succeeded, outcome.report.result != .requeued(after: .zero) {
            // The pass may have committed before it failed: show the record as stored.
            await refreshState()
        }
        if !outcome.actions.isEmpty || outcome.report.result != .succeeded {
            logger.info(
                "Reconcile pass",
                metadata: [
                    "result": "\(outcome.report.result.label)", "step": "\(outcome.report.step ?? "-")",
                    "message": "\(outcome.report.message ?? "")", "triggers": "\(triggers.map(\.rawValue).sorted().joined(separator: ","))",
                    "duration_ms": "\(outcome.report.duration.milliseconds)",
                ])
        }
        return outcome.report
    }

    /// The factor the loop's waits are stretched by now (the request budget), logged when it
    /// changes: on-call sees "polling slowed ×4: Railway 912 of 1000 requests this hour".
    func pacing() -> Double {
        let stretch = budget.stretch()
        let previous = lastStretch.withLock { last in
            defer { last = stretch }
            return last
        }
        if stretch != previous {
            let usage = budget.usage().filter { $0.budgetPerHour != nil }
                .map { "\($0.platform) \($0.lastHour) of \($0.budgetPerHour ?? 0) requests this hour" }.joined(separator: ", ")
            if stretch > 1 {
                logger.warning(
                    "Polling slowed to stay within the platforms' request budgets",
                    metadata: [
                        "stretch": "\(String(format: "%.1f", stretch))", "usage": "\(usage)",
                    ])
            } else {
                logger.info("Polling back to its configured pace", metadata: ["usage": "\(usage)"])
            }
        }
        return stretch
    }

    func publish(_ outcome: PassOutcome) {
        let requests = budget.usage()
        if !outcome.rollbackReadiness.isEmpty {
            // How far back a rollback can go without a rebuild; -1 when no record can be re-pointed.
            let newest = outcome.rollbackReadiness.first { $0.state == "ready" }.flatMap { outcome.state.knownGoodRecord(for: $0.revision) }
            Gauge(label: "reconciler_rollback_ready_record_age_seconds").record(newest.map { Date().timeIntervalSince($0.at) } ?? -1)
        }
        let access = reconciler.access.snapshot
        board.update { inputs in
            inputs.platformRequests = requests
            inputs.platformAccess = access
            inputs.rollbackReadiness = outcome.rollbackReadiness.isEmpty ? nil : outcome.rollbackReadiness
            inputs.state = outcome.state
            inputs.lastPass = outcome.report
            inputs.lastPassGeneration = outcome.startGeneration
            if let observation = outcome.observation {
                inputs.observation = observation
                inputs.drift = outcome.drift
            }
            if !outcome.policies.isEmpty { inputs.policies = outcome.policies }
            inputs.blockedBy = Self.blockedBy(outcome.state, head: outcome.desired.head, lastPass: outcome.report)
        }
    }

    /// The delivery figures, when the history grew (or they are old): on a standby too, so every
    /// replica's page shows the same.
    func refreshDelivery(historySequence: Int64) async {
        if let summary = await delivery.refresh(store: baseStore, environment: environment, historySequence: historySequence, now: Date()) {
            board.update { $0.delivery = summary }
        }
    }

    /// Reloads the record (after an operator's change, or on a standby) without observing, and
    /// recomputes what blocks the environment from it, so status never shows a stale reason.
    func refreshState() async {
        guard let state = try? await baseStore.load(environment: environment) else { return }
        let head = reconciler.dependencies.followed()?.hex
        board.update { inputs in
            inputs.state = state
            inputs.blockedBy = Self.blockedBy(state, head: head, lastPass: inputs.lastPass)
        }
    }

    /// Recomputed from the record: a rollout that failed holds its revision back from then on; a
    /// stalled pass (a refused manifest, a missing token) blocks until something changes.
    static func blockedBy(_ state: EnvironmentState, head: String?, lastPass: PassReport?) -> String? {
        let held = DesiredState.desiredRevision(state, followed: head).flatMap { DesiredState.heldBack($0, in: state) }
        return held ?? (lastPass?.result == .stalled ? lastPass?.message : nil)
    }
}
