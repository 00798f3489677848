import DriftDetector
import Foundation
import KnownGoodStore
import Logging
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
    private let role: Mutex<Role>
    private let logger: Logger

    init(reconciler: EnvironmentReconciler, baseStore: any StateStore, board: StatusBoard, leader: Bool, logger: Logger) {
        self.reconciler = reconciler
        self.baseStore = baseStore
        self.board = board
        self.role = Mutex(leader ? .leader(baseStore) : .standby)
        self.logger = logger
        board.update { $0.leader = leader }
    }

    var environment: String { reconciler.dependencies.environment }

    /// The store to write through, or nil on a standby.
    var leaderStore: (any StateStore)? {
        role.withLock { role in
            if case .leader(let store) = role { return store }
            return nil
        }
    }

    func becomeLeader(_ store: any StateStore) {
        role.withLock { $0 = .leader(store) }
        board.update { $0.leader = true }
        logger.info("This replica leads; reconciling", metadata: ["environment": "\(environment)"])
    }

    func becomeStandby() {
        role.withLock { $0 = .standby }
        board.update { $0.leader = false }
        logger.info("This replica stands by; another one reconciles", metadata: ["environment": "\(environment)"])
    }

    /// One pass of the loop: a real pass while leading; on a standby, a refresh of the status
    /// from the shared store.
    func runPass(_ triggers: Set<ReconcileTrigger>) async -> PassReport {
        guard let store = leaderStore else {
            await refreshState()
            return PassReport(
                result: .succeeded, step: nil, message: "standby: another replica reconciles", reason: nil, startedAt: Date(),
                duration: .zero, steps: [])
        }
        let outcome = await reconciler.pass(triggers, store: store)
        publish(outcome)
        if !outcome.context.actions.isEmpty || outcome.report.result != .succeeded {
            logger.info("Reconcile pass", metadata: [
                "result": "\(outcome.report.result.label)", "step": "\(outcome.report.step ?? "-")",
                "message": "\(outcome.report.message ?? "")", "triggers": "\(triggers.map(\.rawValue).sorted().joined(separator: ","))",
                "duration_ms": "\(outcome.report.duration.milliseconds)",
            ])
        }
        return outcome.report
    }

    func publish(_ outcome: PassOutcome) {
        let context = outcome.context
        board.update { inputs in
            inputs.state = context.state
            inputs.lastPass = outcome.report
            if let observation = context.observation {
                inputs.observation = observation
                inputs.drift = context.drift
            }
            if let preflight = context.preflight { inputs.policies = DriftInputs.policies(preflight.resolved.manifest) }
            // Recomputed from the record as the pass left it: a rollout that failed in this pass
            // holds its revision back from now on.
            let held = (context.state.pin?.revision ?? context.head).flatMap { ResolveDesiredStep.heldBack($0, in: context.state) }
            inputs.blockedBy = held ?? (outcome.report.result == .stalled ? outcome.report.message : nil)
        }
    }

    /// Reloads the record (after an operator's change, or on a standby) without observing.
    func refreshState() async {
        guard let state = try? await baseStore.load(environment: environment) else { return }
        board.update { $0.state = state }
    }
}
