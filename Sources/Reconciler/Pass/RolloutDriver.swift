import ClipnetConfig
import ClipnetContracts
import Deployers
import Foundation
import GitWatch
import KnownGoodStore
import Logging

/// Runs the rollout machine for one pass: supersedes or starts a rollout when the desired state
/// says so, then runs the handler of the current phase, commits its event through the machine,
/// and goes on to the next phase in the same pass until a phase has to wait.
struct RolloutDriver: Sendable {
    let dependencies: ReconcilerDependencies
    let store: any StateStore
    let preflight: ConfigurationPreflight.Result
    let platforms: Platforms
    let notes: NoteBook
    var readiness = RollbackReadinessBook()

    var environment: String { dependencies.environment }

    /// How the rollout part of a pass ended.
    enum End: Sendable {
        /// Nothing left for the machine; drift healing may run.
        case idle
        /// The phase waits: run again after the delay.
        case wait(Duration, String)
        /// The rollout reached a terminal phase in this pass.
        case finished(String)
    }

    /// - Returns: how it ended and the record as last committed.
    func run(_ state: EnvironmentState, desired: DesiredState) async throws -> (End, EnvironmentState) {
        var state = try await OrphanedBuilds.retry(state, platforms: platforms, store: store, environment: environment)
        guard let target = desired.target else { return (.idle, state) }
        if let rollout = state.rollout, rollout.isActive, desired.supersedes, rollout.revision != target {
            await PhaseEnvironment.cancelUnfinished(rollout, platforms: platforms, dependencies: dependencies, store: store)
            state = try await commit(.supersede(by: target), expecting: rollout)
            ReconcilerMetrics.rollout("superseded")
        }
        if state.rollout?.isActive != true {
            guard state.settledRevision != target else { return (.idle, state) }
            state = try await start(target, state: state)
        }
        var lastPhase: RolloutPhase?
        while let rollout = state.rollout, rollout.isActive {
            if lastPhase == rollout.phase {
                return (.wait(dependencies.settings.rolloutPollInterval, "\(rollout.phase.rawValue) again"), state)
            }
            lastPhase = rollout.phase
            try Task.checkCancellation()
            let step = try await handler(for: rollout.phase).run(rollout, phaseEnvironment())
            let before = state.rollout ?? rollout
            if let event = step.event {
                state = try await commit(event, expecting: before)
            } else if before.transientFailures != nil {
                state = try await commit(.progressed, expecting: before)
            }
            guard let after = state.rollout, after.id == rollout.id else { return (.idle, state) }
            log(from: before, to: after)
            if after.phase == .failed, before.phase == .rollingBack || before.phase == .verifyRollback {
                throw ReconcileError.stalled(.rollbackFailed, after.error ?? "the rollback failed; the environment needs a person")
            }
            if !after.isActive { return (.finished(Self.finishedReason(after)), state) }
            if after.phase != before.phase { continue }
            if case .transientError(let reason, let limit)? = step.event {
                throw ReconcileError.transient(.platformUnavailable, "\(reason) (attempt \(after.transientFailures ?? 1) of \(limit))")
            }
            return (
                .wait(step.retryAfter ?? dependencies.settings.rolloutPollInterval, step.waitingFor ?? "waiting in \(after.phase.rawValue)"), state
            )
        }
        return (.idle, state)
    }

    /// Whether a re-point to `record` can be sent: false when its deployments are no longer
    /// rollback-ready and rebuilding is the policy (the caller builds instead, and it is noted);
    /// throws when stalling is. Unknown readiness re-points: the platform's answer decides.
    private func stillRollbackReady(_ record: KnownGoodRecord) async throws -> Bool {
        let now = dependencies.now()
        let entry =
            if let known = readiness.entry(for: record.revision, now: now, maxAge: 600) {
                known
            } else {
                await readiness.check(record, platforms: platforms, now: now)
            }
        guard entry.state == "expired" else { return true }
        switch dependencies.settings.expiredRollback {
        case .rebuild:
            notes.add("rebuild", nil, "\(CommitID.short(record.revision)) is no longer rollback-ready (\(entry.detail)): building it again")
            dependencies.logger.warning(
                "A known-good record expired; rebuilding its commit",
                metadata: [
                    "revision": "\(record.revision)", "detail": "\(entry.detail)",
                ])
            return false
        case .stall:
            throw ReconcileError.stalled(
                .rollbackExpired,
                "\(CommitID.short(record.revision)) is no longer rollback-ready (\(entry.detail)) and reconcile.expiredRollback is stall: "
                    + "pin another revision, or `reconciler retry` after setting it to rebuild")
        }
    }

    /// - Parameter rebuild: build even if a known-good record exists (its readiness was checked).
    private func start(_ target: String, state: EnvironmentState, rebuild: Bool = false) async throws -> EnvironmentState {
        var record = rebuild ? nil : state.knownGoodRecord(for: target)
        if let known = record, try await !stillRollbackReady(known) { record = nil }
        let mode: RolloutMode = record == nil ? .build : .repoint
        let settled = state.settledRevision.flatMap { state.knownGoodRecord(for: $0) }
        let pinned = state.pin?.revision == target
        let requested = !pinned && state.request?.revision == target ? state.request : nil
        let trigger: RolloutTrigger =
            pinned
            ? (state.pin?.reason.hasPrefix("rollback:") == true ? .rollback : .pin)
            : requested != nil ? .request : (state.rollout?.revision == target ? .retry : .push)
        let source =
            if let pin = state.pin, pinned { "pin by \(pin.by)" } else if let requested {
                requested.words
            } else if let mark = dependencies.mark(),
                mark.commit.hex == target
            {
                "tag \(mark.tag)"
            } else { "branch \(dependencies.branch)" }
        var start = RolloutStart(
            id: Self.newRolloutID(dependencies.now()), revision: target, mode: mode, deployments: record?.deployments ?? ServiceDeployments(),
            rollbackTarget: mode == .build ? (settled ?? state.knownGood) : nil, trigger: trigger, pinAtDecision: state.pin?.revision,
            source: source)
        start.gated = mode == .build && dependencies.gate != nil
        start.requestAtDecision = state.request
        let committed = try await commit(.start(start), expecting: nil)
        dependencies.logger.info(
            "Rollout started",
            metadata: [
                "rollout.id": "\(start.id)", "revision": "\(target)", "rollout.mode": "\(mode.rawValue)", "rollout.source": "\(source)",
            ])
        notes.add(mode == .build ? "rollout" : "repoint", nil, "\(mode == .build ? "roll out" : "re-point to") \(target) (\(source))")
        return committed
    }

    /// Starts a re-point rollout to the known-good record of the revision the environment settled
    /// at: drift healing of a service that runs something else.
    func heal(_ state: EnvironmentState, target: String, reason: String) async throws -> EnvironmentState {
        guard let record = state.knownGoodRecord(for: target) else { return state }
        guard try await stillRollbackReady(record) else {
            // Its deployments are gone: a rebuild of the same commit puts it back.
            return try await start(target, state: state, rebuild: true)
        }
        let start = RolloutStart(
            id: Self.newRolloutID(dependencies.now()), revision: target, mode: .repoint, deployments: record.deployments,
            rollbackTarget: nil, trigger: .drift, pinAtDecision: state.pin?.revision, source: "drift: \(reason)")
        return try await commit(.start(start), expecting: nil)
    }

    /// Commits `event` through the machine against the record as stored now.
    func commit(_ event: RolloutEvent, expecting rollout: RolloutRecord?) async throws -> EnvironmentState {
        let now = dependencies.now()
        let expectation = rollout.map(RolloutMachine.Expectation.init)
        return try await StoreAccess.update(store, environment) { state in
            try RolloutMachine.apply(event, to: &state, expecting: expectation, now: now)
        }
    }

    private func phaseEnvironment() -> PhaseEnvironment {
        PhaseEnvironment(
            dependencies: dependencies, preflight: preflight, platforms: platforms,
            commit: { [self] event, rollout in
                let state = try await commit(event, expecting: rollout)
                guard let committed = state.rollout, committed.id == rollout.id else {
                    throw ReconcileError.waiting(.staleDecision, retryAfter: .zero, "rollout \(rollout.id) was replaced while this pass ran")
                }
                return committed
            },
            store: store,
            note: { [notes] in notes.add($0, $1, $2) })
    }

    private func handler(for phase: RolloutPhase) -> any PhaseHandler {
        switch phase {
        case .checkGate: CheckGatePhase()
        case .syncVariables: SyncVariablesPhase()
        case .deployBackend: DeployBackendPhase()
        case .verifyBackend: VerifyBackendPhase()
        case .deployFrontend: DeployFrontendPhase()
        case .healthGate: HealthGatePhase()
        case .markKnownGood: MarkKnownGoodPhase()
        case .repointing, .rollingBack: RepointPhase()
        case .verifyRepoint, .verifyRollback: VerifyTargetPhase()
        case .succeeded, .failed, .rolledBack, .superseded: IdlePhase()
        }
    }

    private func log(from before: RolloutRecord, to after: RolloutRecord) {
        guard before.phase != after.phase else { return }
        if let left = after.timeline?.last(where: { $0.phase == before.phase && $0.endedAt != nil }) { ReconcilerMetrics.phaseEnded(left) }
        let logger = dependencies.logger
        logger.info(
            "Rollout phase",
            metadata: [
                "rollout.id": "\(after.id)", "revision": "\(after.revision)", "rollout.phase": "\(after.phase.rawValue)",
                "rollout.from": "\(before.phase.rawValue)",
            ])
        switch after.phase {
        case .succeeded:
            ReconcilerMetrics.rollout("succeeded")
            if after.mode == .repoint { ReconcilerMetrics.rollback("succeeded") }
        case .rolledBack:
            ReconcilerMetrics.rollback("succeeded")
            ReconcilerMetrics.rollout("rolled_back")
            logger.warning(
                "Rolled back to the known-good revision",
                metadata: [
                    "rollout.id": "\(after.id)", "revision": "\(after.rollbackTarget?.revision ?? "?")", "rollout.failed": "\(after.revision)",
                ])
        case .rollingBack:
            logger.error(
                "Rollout failed; rolling back",
                metadata: [
                    "rollout.id": "\(after.id)", "revision": "\(after.revision)", "rollout.phase": "\(before.phase.rawValue)",
                    "error": "\(after.error ?? "")",
                ])
        case .failed:
            logger.error(
                "Rollout failed",
                metadata: [
                    "rollout.id": "\(after.id)", "revision": "\(after.revision)", "rollout.phase": "\(before.phase.rawValue)",
                    "error": "\(after.error ?? "")",
                ])
            if before.phase == .rollingBack || before.phase == .verifyRollback || after.mode == .repoint { ReconcilerMetrics.rollback("failed") }
            if after.mode != .repoint, before.phase != .rollingBack, before.phase != .verifyRollback { ReconcilerMetrics.rollout("failed") }
        default:
            break
        }
    }

    static func finishedReason(_ rollout: RolloutRecord) -> String {
        switch rollout.phase {
        case .succeeded where rollout.mode == .repoint: "re-pointed to known-good \(CommitID.short(rollout.revision)) without a build"
        case .succeeded: "\(CommitID.short(rollout.revision)) rolled out and marked known-good"
        case .rolledBack:
            "\(CommitID.short(rollout.revision)) failed and was rolled back to \(rollout.rollbackTarget.map { CommitID.short($0.revision) } ?? "?")"
        case .failed: "\(CommitID.short(rollout.revision)) failed: \(rollout.error ?? "?")"
        default: "\(CommitID.short(rollout.revision)) \(rollout.phase.rawValue)"
        }
    }

    /// `ro-20261130T160000Z-4f2a9c`: sortable, unique enough, and safe in platform metadata.
    static func newRolloutID(_ now: Date) -> String {
        let stamp = RFC3339Stamp.compact(now)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "ro-\(stamp)-\(suffix)"
    }
}

/// A terminal phase has no handler; the driver never runs it (listed for exhaustiveness).
struct IdlePhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep { PhaseStep() }
}
