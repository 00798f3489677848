import AsyncPrimitives
import ClipnetConfig
public import ClipnetContracts
import Deployers
public import DriftDetector
import Foundation
public import KnownGoodStore
import Logging
import Synchronization

/// One environment's reconcile pass, in stages whose inputs and outputs are explicit:
///
/// 1. `resolveDesired`: load the record, decide the target (`DesiredState`, pure).
/// 2. `preflight`: the manifest at the target, checked before any platform is touched.
/// 3. `observe`: what the platforms and services run, and the drift from the target.
/// 4. the rollout machine (`RolloutDriver`): supersede, start, and run phases until one waits.
/// 5. `healDrift`: at the target with nothing in flight, put back what drifted.
///
/// Every platform change goes through the store's leadership proof first, so a replica that
/// lost leadership mid-pass sends none.
public final class EnvironmentReconciler: Sendable {
    public let dependencies: ReconcilerDependencies
    private let healMemo = Mutex<(signature: String, at: Date)?>(nil)
    private let expectedVariables = ExpectedVariablesCache()
    /// The last full observation and the cheap signals it saw (idle drift checks compare against
    /// them; its time is when the platforms were last observed in full).
    private let baseline = Mutex<ObservationBaseline?>(nil)
    /// Rollback readiness of the known-good records, checked in rounds.
    let readiness = RollbackReadinessBook()
    /// Whether each platform accepts the daemon's token (checked until it does).
    public let access: PlatformAccess
    /// Phases that only wait on the platforms or the services.
    static let waitingPhases: Set<RolloutPhase> = [
        .checkGate, .deployBackend, .verifyBackend, .deployFrontend, .healthGate, .verifyRepoint, .verifyRollback,
    ]

    public init(dependencies: ReconcilerDependencies) {
        self.dependencies = dependencies
        access = PlatformAccess(tokens: dependencies.connector.tokens)
    }

    var environment: String { dependencies.environment }
    var logger: Logger { dependencies.logger }

    /// Runs one pass and returns how it ended with everything it learned.
    public func pass(_ triggers: Set<ReconcileTrigger>, store: any StateStore) async -> PassOutcome {
        await recorded { try await run(store: store, recorder: $0, notes: $1, outcome: &$2) }
    }

    /// Runs `body` with a recorder and a note book, and turns however it ended into the outcome.
    private func recorded(
        _ body: (PassRecorder, NoteBook, inout PassOutcome) async throws -> PassReport
    ) async -> PassOutcome {
        let recorder = PassRecorder(startedAt: dependencies.now())
        let notes = NoteBook()
        var outcome = PassOutcome()
        do {
            outcome.report = try await body(recorder, notes, &outcome)
        } catch {
            outcome.report = recorder.finish(error, logger: logger)
        }
        outcome.actions = notes.actions
        outcome.rollbackReadiness = readiness.snapshot(outcome.state)
        return outcome
    }

    private func run(store: any StateStore, recorder: PassRecorder, notes: NoteBook, outcome: inout PassOutcome) async throws -> PassReport {
        var state = try await StoreAccess.load(store, environment)
        outcome.state = state
        outcome.startGeneration = state.generation
        let desired = DesiredState.resolve(state, head: dependencies.followed()?.hex, branch: dependencies.branch)
        outcome.desired = desired
        if let waiting = desired.waiting, let target = desired.target {
            notes.add("wait", nil, "\(CommitID.short(waiting)) rolls out after the rollout of \(CommitID.short(target)) ends")
        }
        guard let revision = desired.manifestRevision else {
            return recorder.finish(.succeeded, message: desired.blockedBy ?? "nothing to do")
        }

        recorder.enter("preflight")
        let preflight = try await ManifestPreflight.run(at: revision, dependencies)
        outcome.policies = DriftInputs.policies(preflight.resolved.manifest)
        let platforms = try dependencies.connector.platforms(for: preflight.resolved.manifest)
            .guarded { operation in
                try Task.checkCancellation()
                do {
                    try await store.proveLeadership()
                } catch {
                    throw ReconcileError.stalled(.notLeader, "not sending \(operation): this replica cannot prove it leads (\(error))")
                }
            }
        let driver = RolloutDriver(
            dependencies: dependencies, store: store, preflight: preflight, platforms: platforms, notes: notes, readiness: readiness)
        if access.needsCheck {
            recorder.enter("credentials")
            try await access.verify(platforms, now: dependencies.now())
        }

        recorder.enter("observe")
        do {
            if desired.startsRollout(from: state) {
                // A rollout starts in this pass: drift is not acted on while it runs, so observing
                // now would only delay the first deploy request (by ten platform reads and three
                // probes). The passes that wait on its builds observe instead. One read per
                // platform still comes first: no rollout starts while a platform is down.
                try await Self.confirmReachable(platforms)
                throw SkipObservation()
            }
            if let rollout = state.rollout, rollout.isActive, Self.waitingPhases.contains(rollout.phase),
                let last = baseline.withLock({ $0?.observation.at }),
                dependencies.now().timeIntervalSince(last)
                    < max(dependencies.settings.observeInterval, dependencies.settings.fullObserveInterval).seconds
            {
                // A rollout waiting on builds polls only what it waits on (its handler does);
                // the rest of the environment is observed on the drift interval, or the
                // full-observation interval when that is longer (drift is not acted on while a
                // rollout runs, so reading it costs budget for status alone).
                throw SkipObservation()
            }
            if state.rollout?.isActive != true,
                let unchanged = try await unchangedSinceFullObservation(platforms, preflight, state: state, target: desired.target)
            {
                outcome.observation = unchanged.observation
                outcome.drift = unchanged.drift
            } else {
                let observation = try await observeInFull(platforms, preflight, state: state, target: desired.target)
                outcome.observation = observation
                outcome.drift = drift(observation, preflight: preflight, state: state, target: desired.target)
                baseline.withLock { $0?.drift = outcome.drift }
            }
        } catch is SkipObservation {
            // Status keeps showing the last full observation.
        } catch {
            guard let rollout = state.rollout, rollout.isActive else {
                throw ReconcileError.transient(.platformUnavailable, "observing the platforms: \(PhaseEnvironment.message(error))")
            }
            if error is ReconcileError || error is CancellationError { throw error }
            let reason = "observing the platforms: \(PhaseEnvironment.message(error))"
            state = try await driver.commit(.transientError(reason: reason, limit: dependencies.settings.transientFailureLimit), expecting: rollout)
            outcome.state = state
            if state.rollout?.phase == rollout.phase {
                throw ReconcileError.transient(
                    .platformUnavailable,
                    "\(reason) (attempt \(state.rollout?.transientFailures ?? 1) of \(dependencies.settings.transientFailureLimit))")
            }
        }

        recorder.enter(state.rollout.flatMap { $0.isActive ? $0.phase.rawValue : nil } ?? "decide")
        let (end, after) = try await driver.run(state, desired: desired)
        state = after
        outcome.state = state
        switch end {
        case .wait(let delay, let why):
            recorder.enter(state.rollout?.phase.rawValue ?? "rollout")
            return recorder.finish(.requeued(after: delay), message: why)
        case .finished(let why):
            if let waiting = desired.waiting {
                // A newer revision landed while this rollout ran: start it in the next pass, not
                // at the next drift check (up to `driftInterval` of nothing happening).
                return recorder.finish(.requeued(after: .zero), message: "\(why); \(CommitID.short(waiting)) is next")
            }
            await reobserve(platforms, preflight, state: state, desired: desired, &outcome)
            return recorder.finish(.succeeded, message: why)
        case .idle:
            break
        }

        if dependencies.settings.readinessInterval > .zero {
            recorder.enter("rollbackReadiness")
            await readiness.round(state, platforms: platforms, now: dependencies.now(), interval: dependencies.settings.readinessInterval.seconds)
        }

        recorder.enter("healDrift")
        let generation = outcome.state.generation
        let healed = try await heal(
            state: state, desired: desired, preflight: preflight, platforms: platforms, driver: driver, notes: notes, outcome: &outcome)
        if outcome.state.generation != generation {
            await reobserve(platforms, preflight, state: outcome.state, desired: desired, &outcome)
        }
        return recorder.finish(.succeeded, message: healed)
    }

    // MARK: - Observation

    /// One read of each platform, side by side: what a rollout needs to know before it starts (a
    /// rollout started during an outage would count the outage toward failing a good revision).
    /// A task group, not `async let`: see `EnvironmentObserver` (Swift 6.3's optimiser frees
    /// throwing `async let` frames out of order).
    private static func confirmReachable(_ platforms: Platforms) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await platforms.vercel.observe(.frontend) }
            group.addTask { _ = try await platforms.railway.observe(.api) }
            try await group.waitForAll()
        }
    }

    /// A full observation that also records the cheap signals it saw (Railway's change token is
    /// read first, so a change made while the rest is read shows at the next check).
    private func observeInFull(
        _ platforms: Platforms, _ preflight: ConfigurationPreflight.Result, state: EnvironmentState, target: String?
    ) async throws -> Observation {
        // The token only serves idle drift checks: not read while a rollout runs.
        let token =
            dependencies.settings.fullObserveInterval > .zero && state.rollout?.isActive != true
            ? try? await platforms.railway.configurationChangeToken() : nil
        let observation = try await observe(platforms, preflight)
        baseline.withLock {
            $0 = ObservationBaseline(
                look: QuickLook(observation, railwayConfiguration: token), generation: state.generation, target: target,
                observation: observation)
        }
        return observation
    }

    /// The last full observation when an idle drift check may rely on it: it is younger than
    /// `fullObserveInterval`, of the same record and target, and the cheap signals read now are
    /// the ones it saw. Any doubt (a read fails, a platform has no change token) means nil.
    private func unchangedSinceFullObservation(
        _ platforms: Platforms, _ preflight: ConfigurationPreflight.Result, state: EnvironmentState, target: String?
    ) async throws -> ObservationBaseline? {
        let interval = dependencies.settings.fullObserveInterval
        guard interval > .zero, let baseline = baseline.withLock({ $0 }), baseline.look.railwayConfiguration != nil,
            baseline.generation == state.generation, baseline.target == target,
            dependencies.now().timeIntervalSince(baseline.observation.at) < interval.seconds
        else { return nil }
        try Task.checkCancellation()
        guard
            let look = try? await QuickLook.read(
                platforms: platforms, probes: dependencies.probes, preflight: preflight, environment: environment,
                readHeartbeats: dependencies.settings.workerVersionSource == .heartbeat)
        else { return nil }
        return look == baseline.look ? baseline : nil
    }

    func observe(_ platforms: Platforms, _ preflight: ConfigurationPreflight.Result) async throws -> Observation {
        let observer = EnvironmentObserver(
            environment: environment, probes: dependencies.probes, settings: dependencies.settings, now: dependencies.now)
        return try await observer.observe(platforms: platforms, preflight: preflight)
    }

    func drift(_ observation: Observation, preflight: ConfigurationPreflight.Result, state: EnvironmentState, target: String?) -> [Drift] {
        guard let target else { return [] }
        // After a settled rollout, drift is measured against where the environment now is.
        let reference = state.rollout?.isActive != true && state.failure(for: target) != nil ? (state.settledRevision ?? target) : target
        return DriftDetector.detect(
            desired: DriftInputs.desired(
                target: reference, state: state, preflight: preflight, observation: observation, expected: expectedVariables),
            observed: DriftInputs.observed(observation))
    }

    /// What status shows should be what runs now, not what ran when the pass began.
    private func reobserve(
        _ platforms: Platforms, _ preflight: ConfigurationPreflight.Result, state: EnvironmentState, desired: DesiredState,
        _ outcome: inout PassOutcome
    ) async {
        guard state.rollout?.isActive != true,
            let observation = try? await observeInFull(platforms, preflight, state: state, target: state.settledRevision ?? desired.target)
        else { return }
        outcome.observation = observation
        outcome.drift = drift(observation, preflight: preflight, state: state, target: state.settledRevision ?? desired.target)
        baseline.withLock { $0?.drift = outcome.drift }
    }

    // MARK: - Drift healing

    /// At the target with nothing in flight: drift the manifest says to heal is put back, the
    /// rest is reported. A service on another deployment (revision, version skew, alias) is
    /// moved back by a re-point rollout to the target's known-good record, which is persisted and
    /// verified like any rollout; variables and auto-deploy are re-applied directly. Extra
    /// variables nobody declared are reported, never rewritten. A heal that did not take effect
    /// is reported instead of being repeated every pass, so steady state adds nothing to history.
    private func heal(
        state: EnvironmentState, desired: DesiredState, preflight: ConfigurationPreflight.Result, platforms: Platforms,
        driver: RolloutDriver, notes: NoteBook, outcome: inout PassOutcome
    ) async throws -> String {
        guard state.rollout?.isActive != true, let target = desired.target, state.settledRevision == target else {
            return desired.blockedBy ?? "nothing to do"
        }
        let drift = outcome.drift
        guard !drift.isEmpty else { return "in sync at \(CommitID.short(target))" }
        let plan = HealPlan(
            drift: drift, policies: outcome.policies, observation: outcome.observation, target: target, record: state.knownGoodRecord(for: target))
        for line in plan.reported { notes.add("report", line.service, line.detail) }
        guard plan.acts else { return plan.summary }

        let signature = plan.signature
        let now = dependencies.now()
        if let memo = healMemo.withLock({ $0 }), memo.signature == signature, now.timeIntervalSince(memo.at) < HealPlan.repeatAfterSeconds {
            notes.add("report", nil, "the last heal of \(signature) did not take effect; reported until it changes")
            return "drift reported: the last heal did not take effect"
        }
        healMemo.withLock { $0 = (signature, now) }

        var done: [String] = []
        do {
            for service in plan.reapply {
                try await platforms.deployer(for: service).upsertVariables(
                    DesiredVariables.of(service, preflight: preflight, revision: target), for: service)
                done.append("\(service) variables re-applied")
            }
            for service in plan.autoDeploy {
                let result = try await platforms.deployer(for: service).disableAutoDeploy(for: service)
                done.append(result.enabled == false ? "\(service) auto-deploy switched off" : "\(service) auto-deploy: \(result.detail)")
            }
        } catch let error as ReconcileError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ReconcileError.transient(.platformUnavailable, "healing drift: \(PhaseEnvironment.message(error))")
        }
        for item in plan.healedDirectly { ReconcilerMetrics.driftHealed(item.kind) }
        if !done.isEmpty {
            let entry = HistoryEntry(
                at: now, kind: .driftHealed, revision: target, by: "reconciler",
                reason: plan.healedDirectly.map(\.description).joined(separator: "; "), detail: done.joined(separator: "; "))
            outcome.state = try await StoreAccess.update(driver.store, environment) { _ in [entry] }
            logger.warning("Drift healed", metadata: ["revision": "\(target)", "actions": "\(done.joined(separator: "; "))"])
            for line in done { notes.add("heal", nil, line) }
        }
        if !plan.repoint.isEmpty {
            for item in plan.repointDrift { ReconcilerMetrics.driftHealed(item.kind) }
            let started = try await driver.heal(outcome.state, target: target, reason: plan.repointDrift.map(\.description).joined(separator: "; "))
            outcome.state = started
            notes.add("heal", nil, "re-point \(plan.repoint.map(\.rawValue).joined(separator: ", ")) to known-good \(CommitID.short(target))")
            let (end, after) = try await driver.run(started, desired: desired)
            outcome.state = after
            if case .wait(let delay, let why) = end { throw ReconcileError.waiting(.buildInProgress, retryAfter: delay, why) }
        }
        return
            "healed \(plan.healedDirectly.count + plan.repointDrift.count) drift item(s)\(plan.reported.isEmpty ? "" : "; \(plan.reported.count) reported")"
    }

    // MARK: - Plan

    /// What a pass would do now, changing nothing: the store is only read, and every platform
    /// change is refused before it is sent (`reconciler plan`, on the leader or a standby).
    public func plan(store: any StateStore) async -> PassOutcome {
        await recorded { try await planRun(store: store, recorder: $0, notes: $1, outcome: &$2) }
    }

    private func planRun(store: any StateStore, recorder: PassRecorder, notes: NoteBook, outcome: inout PassOutcome) async throws -> PassReport {
        let state = try await StoreAccess.load(store, environment)
        outcome.state = state
        let desired = DesiredState.resolve(state, head: dependencies.followed()?.hex, branch: dependencies.branch)
        outcome.desired = desired
        guard let revision = desired.manifestRevision else { return recorder.finish(.succeeded, message: desired.blockedBy ?? "nothing to do") }
        recorder.enter("preflight")
        let preflight = try await ManifestPreflight.run(at: revision, dependencies)
        outcome.policies = DriftInputs.policies(preflight.resolved.manifest)
        let unguarded = try dependencies.connector.platforms(for: preflight.resolved.manifest)
        let platforms = unguarded.guarded { operation in
            throw ReconcileError.stalled(.unexpected, "a plan never changes a platform (refused: \(operation))")
        }
        if let note = await previewLeftoverNote(unguarded, preflight, revision: revision) { notes.add("report", "frontend", note) }
        recorder.enter("observe")
        do {
            let observation = try await observe(platforms, preflight)
            outcome.observation = observation
            outcome.drift = drift(observation, preflight: preflight, state: state, target: desired.target)
        } catch {
            notes.add("report", nil, "the platforms could not be observed: \(PhaseEnvironment.message(error))")
        }
        recorder.enter("decide")
        PlanWriter(preflight: preflight, notes: notes).describe(
            state: state, desired: desired, drift: outcome.drift, policies: outcome.policies,
            observation: outcome.observation)
        return recorder.finish(.succeeded, message: "plan only")
    }
}

/// A pass's report and everything it learned, for status and the plan.
public struct PassOutcome: Sendable {
    public var report = PassReport(result: .succeeded, step: nil, message: nil, reason: nil, startedAt: Date(), duration: .zero, steps: [])
    /// The record as the pass left it.
    public var state = EnvironmentState()
    public var desired = DesiredState(head: nil, desired: nil, target: nil, supersedes: false, blockedBy: nil, waiting: nil)
    public var observation: Observation?
    public var drift: [Drift] = []
    public var policies: [DriftKind: DriftPolicy] = [:]
    /// What the pass did, or in a plan what it would do, in order.
    public var actions: [PlanDocument.Action] = []
    /// The record's generation when the pass loaded it: status produced by this pass reflects
    /// every change committed up to it (what `--wait` compares an operator action's with).
    public var startGeneration: Int64?
    /// The known-good records a rollback may go back to that have been checked, newest first.
    public var rollbackReadiness: [StatusDocument.RollbackReadiness] = []
}

/// A full observation is not needed this pass.
private struct SkipObservation: Error {}
