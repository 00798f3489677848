public import ClipnetContracts
import Deployers
public import Foundation
public import KnownGoodStore

/// The rollout as one state machine: the only code that edits the rollout record. Phase handlers
/// and operator actions hand it events; it checks each against `table` (an illegal transition
/// throws, naming the phase and the event), changes the record and returns the history entries to
/// commit with it. It is pure: no I/O, no clock of its own, so the daemon, the tests and the
/// simulation run exactly the same rules.
public enum RolloutMachine {
    /// The rollout and phase a handler acted on. An event for any other (an operator superseded
    /// the rollout, another pass moved it on) is stale and changes nothing.
    public struct Expectation: Sendable, Equatable {
        public var rolloutID: String
        public var phase: RolloutPhase

        public init(rolloutID: String, phase: RolloutPhase) {
            self.rolloutID = rolloutID
            self.phase = phase
        }

        public init(_ rollout: RolloutRecord) {
            self.init(rolloutID: rollout.id, phase: rollout.phase)
        }
    }

    /// Applies `event` to the environment's record.
    /// - Parameter expecting: what the handler acted on; nil only for `.start`.
    /// - Returns: the history entries that go with the change.
    /// - Throws: `RolloutMachineError` (`.stale` or `.illegalTransition`); `state` is then unchanged.
    public static func apply(
        _ event: RolloutEvent, to state: inout EnvironmentState, expecting: Expectation?, now: Date
    ) throws -> [HistoryEntry] {
        if case .start(let start) = event { return try begin(start, &state, now: now) }
        guard let expecting else { throw RolloutMachineError(.illegalTransition, "\(event.kind.rawValue) needs the rollout it applies to") }
        guard var rollout = state.rollout, rollout.isActive, rollout.id == expecting.rolloutID, rollout.phase == expecting.phase else {
            let now = state.rollout.map { "\($0.id) in \($0.phase.rawValue)" } ?? "no rollout"
            throw RolloutMachineError(
                .stale, "\(event.kind.rawValue) was for \(expecting.rolloutID) in \(expecting.phase.rawValue), the record has \(now)")
        }
        let from = rollout.phase
        var work = state
        var history: [HistoryEntry] = []
        let next = try transition(event, &rollout, &work, &history, now: now)
        guard allows(from: from, event.kind, to: next) else {
            throw RolloutMachineError(.illegalTransition, "no transition from \(from.rawValue) on \(event.kind.rawValue) to \(next.rawValue)")
        }
        if next != from {
            rollout.phase = next
            rollout.phaseStartedAt = now
            rollout.timeline = (rollout.timeline ?? []).moving(to: next, at: now)
            if !next.isActive, let ending = history.lastIndex(where: { $0.rolloutID == rollout.id }) {
                history[ending].timeline = rollout.timeline
                history[ending].platformSteps = rollout.platformSteps
            }
            rollout.transientFailures = nil
            rollout.healthFailures = nil
            rollout.window = nil
        }
        rollout.updatedAt = now
        work.rollout = rollout
        state = work
        return history
    }

    // MARK: - Starting

    private static func begin(_ start: RolloutStart, _ state: inout EnvironmentState, now: Date) throws -> [HistoryEntry] {
        let current = state.rollout.flatMap { $0.isActive ? $0.phase : nil }
        let next: RolloutPhase = start.mode == .build ? (start.gated ? .checkGate : .syncVariables) : .repointing
        if let active = state.rollout, active.isActive {
            throw RolloutMachineError(.stale, "rollout \(active.id) of \(CommitID.short(active.revision)) is in flight")
        }
        guard state.pin?.revision == start.pinAtDecision else {
            throw RolloutMachineError(.stale, "the pin changed after the pass decided to roll out \(CommitID.short(start.revision))")
        }
        guard state.request == start.requestAtDecision else {
            throw RolloutMachineError(.stale, "the deployment request changed after the pass decided to roll out \(CommitID.short(start.revision))")
        }
        guard state.failure(for: start.revision) == nil else {
            throw RolloutMachineError(.stale, "\(CommitID.short(start.revision)) was marked failed after the pass decided to roll it out")
        }
        guard allows(from: current, start.mode == .build ? .startBuild : .startRepoint, to: next) else {
            throw RolloutMachineError(.illegalTransition, "cannot start a rollout from \(current?.rawValue ?? "(none)")")
        }
        state.rollout = RolloutRecord(
            id: start.id, revision: start.revision, phase: next, startedAt: now, updatedAt: now, deployments: start.deployments,
            mode: start.mode, phaseStartedAt: now, rollbackTarget: start.rollbackTarget, trigger: start.trigger)
        state.rollout?.source = start.source
        if start.pinAtDecision == nil, let request = start.requestAtDecision, request.revision == start.revision {
            state.rollout?.request = request
        }
        state.rollout?.timeline = [PhaseSpan(phase: next, startedAt: now)]
        let detail =
            start.mode == .build
            ? "build; rollback target \(start.rollbackTarget.map { CommitID.short($0.revision) } ?? "none (first rollout)")"
            : "re-point to known-good deployments: \(start.deployments.summary)"
        return [
            HistoryEntry(
                at: now, kind: .rolloutStarted, revision: start.revision, by: "reconciler", reason: start.source, rolloutID: start.id, detail: detail)
        ]
    }

    // MARK: - Transitions of a rollout in flight

    /// The next phase for `event`, with the record changes that go with it.
    private static func transition(
        _ event: RolloutEvent, _ rollout: inout RolloutRecord, _ state: inout EnvironmentState, _ history: inout [HistoryEntry], now: Date
    ) throws -> RolloutPhase {
        let phase = rollout.phase
        switch event {
        case .start:
            throw RolloutMachineError(.illegalTransition, "start is handled before")
        case .supersede(let target):
            history.append(
                HistoryEntry(
                    at: now, kind: .rolloutSuperseded, revision: rollout.revision, by: "reconciler",
                    reason: "superseded by \(CommitID.short(target))", rolloutID: rollout.id, detail: "stopped in \(phase.rawValue)"))
            return .superseded
        case .gateChecked(let check):
            rollout.gateChecks = check.checks
            switch check.verdict {
            case .passed: return .syncVariables
            case .pending: return phase
            case .failed(let failed):
                let link = failed.url.map { " (\($0))" } ?? ""
                return fail("the CI check '\(failed.name)' concluded \(failed.detail)\(link)", &rollout, &state, &history, now: now)
            }
        case .variablesSynced:
            return .deployBackend
        case .deploymentCreated(let service, let id):
            if let existing = rollout.deployments[service], existing != id {
                throw RolloutMachineError(.illegalTransition, "\(service) already has deployment \(existing) in rollout \(rollout.id)")
            }
            rollout.deployments[service] = id
            return phase
        case .backendReady(let steps):
            rollout.recordPlatformSteps(steps)
            return .verifyBackend
        case .frontendAliased(let steps):
            rollout.recordPlatformSteps(steps)
            return .healthGate
        case .verificationChecked(let check):
            return verification(check, &rollout, &state, &history, now: now)
        case .healthChecked(let check):
            return health(check, &rollout, &state, &history, now: now)
        case .recordKnownGood(let commitAt):
            let record = KnownGoodRecord(revision: rollout.revision, at: now, deployments: rollout.deployments)
            state.recordKnownGood(record)
            history.append(
                HistoryEntry(
                    at: now, kind: .knownGood, revision: rollout.revision, by: "reconciler", rolloutID: rollout.id,
                    detail: record.deployments.summary,
                    commitAt: commitAt))
            return .succeeded
        case .repointIssued(let service, let id):
            var moved = rollout.repointDeployments ?? ServiceDeployments()
            moved[service] = id
            rollout.repointDeployments = moved
            return phase
        case .repointed(let detail):
            rollout.verification = detail
            return phase == .rollingBack ? .verifyRollback : .verifyRepoint
        case .failed(let reason), .rollbackFailed(let reason):
            return fail(reason, &rollout, &state, &history, now: now)
        case .transientError(let reason, let limit):
            let failures = (rollout.transientFailures ?? 0) + 1
            if failures >= max(1, limit) {
                return fail("\(reason) (failed \(failures) times in a row)", &rollout, &state, &history, now: now)
            }
            rollout.transientFailures = failures
            return phase
        case .progressed:
            rollout.transientFailures = nil
            return phase
        }
    }

    private static func verification(
        _ check: VerificationCheck, _ rollout: inout RolloutRecord, _ state: inout EnvironmentState, _ history: inout [HistoryEntry], now: Date
    ) -> RolloutPhase {
        let phase = rollout.phase
        if check.verified {
            switch phase {
            case .verifyBackend:
                return .deployFrontend
            case .verifyRepoint:
                let revision = rollout.revision
                if state.knownGood?.revision != revision, state.moveKnownGoodBack(to: revision) == nil,
                    let record = state.knownGoodRecord(for: revision)
                {
                    state.recordKnownGood(record)
                }
                refresh(revision, with: rollout.repointDeployments, in: &state)
                // Drift healing is a re-point too; history says which drift it healed.
                let healed = rollout.trigger == .drift
                history.append(
                    HistoryEntry(
                        at: now, kind: healed ? .driftHealed : .repointed, revision: revision, by: "reconciler",
                        reason: healed ? rollout.source.map { String($0.trimmingPrefix("drift: ")) } : nil, rolloutID: rollout.id,
                        detail: [rollout.verification, "verified: \(check.detail)"].compactMap { $0 }.joined(separator: "; ")))
                rollout.verification = "verified: \(check.detail)"
                return .succeeded
            case .verifyRollback:
                let target = rollout.rollbackTarget?.revision ?? rollout.revision
                refresh(target, with: rollout.repointDeployments, in: &state)
                history.append(
                    HistoryEntry(
                        at: now, kind: .rolledBack, revision: target, by: "reconciler", reason: rollout.error, rolloutID: rollout.id,
                        detail: "from \(rollout.revision): "
                            + [rollout.verification, "verified: \(check.detail)"].compactMap { $0 }.joined(separator: "; ")))
                rollout.verification = "verified: \(check.detail)"
                return .rolledBack
            default:
                return phase
            }
        }
        let window = (rollout.window ?? ObservedWindow()).adding(checkAt: now, healthy: false, maxGap: check.maxGapSeconds)
        rollout.window = window
        guard window.observedSeconds > check.timeoutSeconds else { return phase }
        let seconds = Int(check.timeoutSeconds)
        switch phase {
        case .verifyRollback:
            let target = rollout.rollbackTarget.map { CommitID.short($0.revision) } ?? "?"
            return fail(
                "the rollback to \(target) was not confirmed within \(seconds) s of observation: \(check.detail)", &rollout, &state, &history,
                now: now)
        default:
            return fail(
                "\(CommitID.short(rollout.revision)) was not confirmed within \(seconds) s of observation: \(check.detail)", &rollout, &state,
                &history, now: now)
        }
    }

    private static func health(
        _ check: HealthCheck, _ rollout: inout RolloutRecord, _ state: inout EnvironmentState, _ history: inout [HistoryEntry], now: Date
    ) -> RolloutPhase {
        let window = (rollout.window ?? ObservedWindow()).adding(checkAt: now, healthy: check.healthy, maxGap: check.maxGapSeconds)
        rollout.window = window
        if !check.healthy {
            let failures = (rollout.healthFailures ?? 0) + 1
            if failures >= max(1, check.failureThreshold) {
                return fail(
                    "health gate: \(check.problems.joined(separator: "; ")) (\(failures) checks in a row)", &rollout, &state, &history, now: now)
            }
            rollout.healthFailures = failures
            return .healthGate
        }
        rollout.healthFailures = nil
        // A zero window needs one healthy check; any other must be seen healthy from end to end.
        let held = check.windowSeconds <= 0 || (window.checks >= 2 && window.healthySeconds >= check.windowSeconds)
        if held { return .markKnownGood }
        if window.observedSeconds > check.flappingLimitSeconds {
            return fail(
                "health gate: healthy for \(Int(check.windowSeconds)) s in a row was never observed in \(Int(window.observedSeconds)) s",
                &rollout, &state, &history, now: now)
        }
        return .healthGate
    }

    /// Fails the phase: a build rolls back when it has a target; a re-point, and a rollback that
    /// itself failed, stop.
    private static func fail(
        _ reason: String, _ rollout: inout RolloutRecord, _ state: inout EnvironmentState, _ history: inout [HistoryEntry], now: Date
    ) -> RolloutPhase {
        let phase = rollout.phase
        switch phase {
        case .rollingBack, .verifyRollback:
            let target = rollout.rollbackTarget.map { CommitID.short($0.revision) } ?? "?"
            let message = "rollback to \(target) failed: \(reason); the environment needs a person"
            rollout.error = [rollout.error, message].compactMap { $0 }.joined(separator: "; ")
            history.append(
                HistoryEntry(at: now, kind: .rolloutFailed, revision: rollout.revision, by: "reconciler", reason: message, rolloutID: rollout.id))
            return .failed
        default:
            // Held back at the gate, nothing changed on any platform: nothing to roll back.
            let rollsBack = rollout.mode != .repoint && rollout.rollbackTarget != nil && phase != .checkGate
            let detail =
                phase == .checkGate
                ? "held back by the release gate; nothing was deployed"
                : rollsBack
                    ? "failed in \(phase.rawValue); rolling back to \(CommitID.short(rollout.rollbackTarget!.revision))"
                    : "failed in \(phase.rawValue); \(rollout.mode == .repoint ? "the re-point is left as it is" : "no known-good revision to roll back to, the environment is left as it is")"
            rollout.error = reason
            rollout.failedPhase = phase
            state.recordFailure(FailedRevision(revision: rollout.revision, at: now, reason: reason, phase: phase))
            history.append(
                HistoryEntry(
                    at: now, kind: .rolloutFailed, revision: rollout.revision, by: "reconciler", reason: reason, rolloutID: rollout.id, detail: detail
                ))
            return rollsBack ? .rollingBack : .failed
        }
    }

    /// After a re-point or rollback, the known-good record of `revision` names the deployments that
    /// serve it now (a Railway rollback creates a new deployment), so the record served again does
    /// not age out with the old deployment.
    private static func refresh(_ revision: String, with moved: ServiceDeployments?, in state: inout EnvironmentState) {
        guard let moved else { return }
        func update(_ record: inout KnownGoodRecord) {
            for service in ServiceName.allCases {
                if let id = moved[service] { record.deployments[service] = id }
            }
        }
        if state.knownGood?.revision == revision, var record = state.knownGood {
            update(&record)
            state.knownGood = record
        }
        if let index = state.previousKnownGood.firstIndex(where: { $0.revision == revision }) {
            update(&state.previousKnownGood[index])
        }
    }
}

/// Why the machine refused an event.
public struct RolloutMachineError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The record moved on since the handler read it (an operator acted, another pass ran):
        /// nothing changed; the next pass decides again.
        case stale
        /// The table has no such transition: a bug, reported loudly with the phase named.
        case illegalTransition
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "rollout machine (\(code.rawValue)): \(message)" }
}
