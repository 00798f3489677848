import AsyncPrimitives
import ClipnetConfig
public import ClipnetContracts
import Deployers
import Foundation
import GitWatch
public import KnownGoodStore
import Logging
public import Reconciler
import Synchronization

/// Drives the real rollout machine and pass logic (`EnvironmentReconciler`, `OperatorActions`)
/// over in-memory platforms, an in-memory repository and store, and a virtual clock, through one
/// sequence of `SimAction`s, checking the invariants of docs/reconciler.md after every step and
/// once the environment has settled at the end.
public final class Simulation: Sendable {
    /// A broken invariant: which, after which step.
    public struct Violation: Error, Sendable, CustomStringConvertible {
        public var invariant: String
        public var detail: String
        public var step: Int

        public var description: String { "[\(invariant)] after step \(step): \(detail)" }
    }

    struct Daemon: Sendable {
        let reconciler: EnvironmentReconciler
        let store: SimFencedStore
        let epoch: Int
    }

    struct Model {
        var commits = 0
        var leader: Daemon?
        var deposed: Daemon?
        /// Revisions in the order they became live and known-good (the independent model of
        /// "the last known-good that was live").
        var liveGood: [String] = []
        var lastRollout: (id: String, phase: RolloutPhase)?
        var checkedKnownGood: Set<String> = []
        var violations: [Violation] = []
        var step = 0
        /// Deployment requests made so far (each gets the next GitHub deployment id).
        var requests: Int64 = 0
    }

    let manifests: SimManifests
    public let clock = SimClock()
    public let store = SimStateStore()
    public let repository: SimRepository
    public let world: SimWorld
    let fates = FateBook()
    /// The release gate's CI, when the gate is on.
    public let ci: SimCI?
    let model = Mutex(Model())
    /// Every simulated commit carries the same manifests and secrets: one check serves them all.
    static let preflight = PreflightCache()
    static let quiet: Logger = {
        var logger = Logger(label: "simulation")
        logger.logLevel = .critical
        return logger
    }()

    public init(manifests: SimManifests, heartbeatsNameDeployment: Bool, frontendBuildsStayOffDomains: Bool = false, releaseGate: Bool = false) {
        self.manifests = manifests
        let clock = self.clock
        let repository = SimRepository(files: manifests.files, clock: { clock.now })
        self.repository = repository
        let fates = self.fates
        let store = self.store
        ci =
            releaseGate
            ? SimCI(
                clock: clock, commitTimes: { revision in CommitID(revision).flatMap { repository.time(of: $0) } },
                fates: { fates.fate(of: $0) }) : nil
        world = SimWorld(
            clock: clock, heartbeatsNameDeployment: heartbeatsNameDeployment, frontendBuildsStayOffDomains: frontendBuildsStayOffDomains,
            topology: manifests.topology,
            environmentID: manifests.environmentID, fates: { revision in fates.fate(of: revision) },
            isFailed: { revision in store.state.failure(for: revision) != nil }, storeEpoch: { store.epoch })
    }

    /// Runs `actions`, then settles the environment and checks the end state.
    /// - Returns: the first violation, or nil.
    public func run(_ actions: [SimAction]) async -> Violation? {
        model.withLock { $0.leader = makeDaemon(epoch: store.epoch) }
        for (index, action) in actions.enumerated() {
            model.withLock { $0.step = index }
            await perform(action)
            check()
            if let first = model.withLock({ $0.violations.first }) { return first }
        }
        model.withLock { $0.step = actions.count }
        await settleAndCheck()
        return model.withLock { $0.violations.first }
    }

    // MARK: - Daemons

    func makeDaemon(epoch: Int) -> Daemon {
        let world = self.world
        let repository = self.repository
        let clock = self.clock
        let dependencies = ReconcilerDependencies(
            environment: "staging", branch: "develop", manifestDirectory: "deploy", repository: repository,
            head: { repository.head }, secrets: SecretStore(environment: manifests.secrets), otherFingerprints: nil,
            connector: SimConnector(world: world, epoch: epoch), probes: SimProbes(world: world),
            settings: ReconcileSettings(
                rolloutPollInterval: .seconds(5), verifyTimeout: .seconds(300), workerVersionSource: .heartbeat, healthFailureThreshold: 2,
                transientFailureLimit: 5, probeTimeout: .seconds(5)),
            logger: Self.quiet, now: { clock.now }, preflightCache: Self.preflight)
        var gated = dependencies
        if let ci { gated.gate = ReleaseGate(checker: ci, required: SimCI.required, interval: .seconds(5)) }
        return Daemon(reconciler: EnvironmentReconciler(dependencies: gated), store: store.store(epoch: epoch), epoch: epoch)
    }

    var leader: Daemon { model.withLock { $0.leader! } }

    func operators(_ daemon: Daemon) -> OperatorActions {
        let clock = self.clock
        return OperatorActions(environment: "staging", branch: "develop", store: daemon.store, repository: repository, now: { clock.now })
    }

    // MARK: - Steps

    /// Runs one step without checking (tests drive steps one by one).
    public func perform(_ action: SimAction) async {
        switch action {
        case .commit(let fate):
            let number = model.withLock { model -> Int in
                model.commits += 1
                return model.commits
            }
            let id = repository.commit(number)
            fates.set(fate, for: id.hex)
        case .pass:
            await pass(leader)
        case .tick(let seconds):
            clock.advance(seconds: Double(seconds))
        case .pin(let n):
            let commits = repository.all
            guard !commits.isEmpty else { return }
            _ = try? await operators(leader).pin(commits[n % commits.count].hex, reason: "simulated pin", by: "sim")
        case .unpin:
            try? await operators(leader).unpin(by: "sim", reason: "simulated unpin")
        case .rollback:
            let expected = expectedRollbackTarget()
            if let target = try? await operators(leader).rollback(reason: "simulated rollback", by: "sim"), let expected, target.revision != expected
            {
                violate("rollback goes to the last known-good that was live", "went to \(target.revision.suffix(6)), expected \(expected.suffix(6))")
            }
        case .rollbackTo(let n):
            let records = store.state.allKnownGood
            guard !records.isEmpty else { return }
            let wanted = records[n % records.count].revision
            if let target = try? await operators(leader).rollback(to: wanted, reason: "simulated rollback", by: "sim") {
                if target.revision != wanted {
                    violate("rollback --to goes where asked", "went to \(target.revision.suffix(6)), asked \(wanted.suffix(6))")
                }
                if store.state.failure(for: wanted) != nil {
                    violate("an explicit rollback target is not held back", "\(wanted.suffix(6)) is still marked failed")
                }
            }
        case .retry:
            try? await operators(leader).retry(by: "sim")
        case .request(let n):
            let commits = repository.all
            guard !commits.isEmpty else { return }
            let deployment = model.withLock { model -> Int64 in
                model.requests += 1
                return model.requests
            }
            _ = try? await operators(leader).request(
                revision: commits[n % commits.count].hex, deployment: deployment, by: "github:sim", ref: nil)
        case .unmark:
            _ = try? await operators(leader).unmark(by: "sim", reason: "simulated unmark")
        case .plan(let onStandby):
            let before = (store.state, store.history.count, world.mutationCount)
            let daemon = onStandby ? makeDaemon(epoch: -1) : leader
            _ = await daemon.reconciler.plan(store: store.reader)
            if store.state != before.0 || store.history.count != before.1 { violate("plan changes nothing", "the store changed") }
            if world.mutationCount != before.2 { violate("plan changes nothing", "a platform change was sent") }
        case .fault(let fault):
            world.inject(fault)
        case .restart:
            model.withLock { $0.leader = makeDaemon(epoch: store.epoch) }
        case .takeover:
            store.takeOver()
            let epoch = store.epoch
            model.withLock { model in
                model.deposed = model.leader
                model.leader = makeDaemon(epoch: epoch)
            }
        case .takeoverMidPass:
            store.takeOverAtNextProof()
        case .deposedPass:
            guard let deposed = model.withLock({ $0.deposed }) else { return }
            _ = await deposed.reconciler.pass([.timer], store: deposed.store)
        case .ciOutage(let down):
            ci?.setDown(down)
        }
    }

    /// One pass of the current leader.
    @discardableResult
    public func leaderPass() async -> PassReport { await pass(leader) }

    /// Starts the first daemon (done by `run`; tests that drive steps call it once).
    public func start() {
        model.withLock { $0.leader = makeDaemon(epoch: store.epoch) }
    }

    /// The operator actions of the current leader.
    public var leaderOperators: OperatorActions { operators(leader) }

    /// The invariant violations seen so far (after `checkNow`).
    public func checkNow() -> [Violation] {
        check()
        return model.withLock { $0.violations }
    }

    /// Points the frontend's domain at `deployment` as the leader would, outside any pass (for
    /// tests of the checker).
    public func aliasFrontend(to deployment: String) async throws {
        let deployer = SimDeployer(world: world, platform: .vercel, callerEpoch: store.epoch)
        _ = try await deployer.repoint(.frontend, to: DeploymentID(deployment), reapplying: [])
    }

    /// Sends a build request as the leader would, outside any pass (for tests of the checker).
    public func sendBuild(of revision: String, service: ServiceName) async throws {
        let deployer = SimDeployer(world: world, platform: service.platform, callerEpoch: store.epoch)
        _ = try await deployer.deploy(DeployRequest(service: service, revision: revision, rolloutID: "ro-outside"))
    }

    /// The plan of the current leader, against the stored record.
    public func plan() async -> PassOutcome { await leader.reconciler.plan(store: store.reader) }

    @discardableResult
    func pass(_ daemon: Daemon) async -> PassReport {
        let outcome = await daemon.reconciler.pass([.timer], store: daemon.store)
        if outcome.report.reason == .unexpected,
            outcome.report.message?.contains("illegal") == true || outcome.report.message?.contains("rollout machine") == true
        {
            violate("no illegal transition", outcome.report.message ?? "")
        }
        // Leadership lost in the middle of the pass: the replica that took over leads from now.
        let epoch = store.epoch
        if epoch != daemon.epoch, model.withLock({ $0.leader?.epoch }) == daemon.epoch {
            model.withLock { model in
                model.deposed = model.leader
                model.leader = makeDaemon(epoch: epoch)
            }
        }
        track()
        return outcome.report
    }

    /// Follows the record's rollout for the independent model of what was live and known-good.
    func track() {
        guard let rollout = store.state.rollout else { return }
        model.withLock { model in
            if let last = model.lastRollout, last.id == rollout.id, last.phase == rollout.phase { return }
            model.lastRollout = (rollout.id, rollout.phase)
            switch rollout.phase {
            case .succeeded: model.liveGood.append(rollout.revision)
            case .rolledBack: if let target = rollout.rollbackTarget?.revision { model.liveGood.append(target) }
            default: break
            }
        }
    }

    /// The model's answer to "where does a rollback without --to go": the most recent revision
    /// that was live and known-good, other than the one being left, not held back, still on record.
    func expectedRollbackTarget() -> String? {
        let state = store.state
        guard state.knownGood != nil else { return nil }
        let active = state.rollout.flatMap { $0.isActive ? $0 : nil }
        let leaving = active?.revision ?? state.settledRevision ?? state.rollout?.revision ?? state.knownGood!.revision
        let records = Set(state.allKnownGood.map(\.revision))
        let live = model.withLock { $0.liveGood }
        return live.reversed().first { $0 != leaving && state.failure(for: $0) == nil && records.contains($0) }
    }

    // MARK: - Invariants

    func violate(_ invariant: String, _ detail: String) {
        model.withLock { $0.violations.append(Violation(invariant: invariant, detail: detail, step: $0.step)) }
    }

    /// After every step.
    func check() {
        for message in world.violations {
            violate(
                message.contains("epoch")
                    ? "no change from a replica that does not lead"
                    : message.contains("twice")
                        ? "no service built twice for one rollout"
                        : message.contains("alias") ? "the frontend goes live only after the backend" : "a failed revision is not deployed again",
                message)
        }
        let state = store.state
        for record in state.allKnownGood where !model.withLock({ $0.checkedKnownGood.contains(record.revision) }) {
            model.withLock { _ = $0.checkedKnownGood.insert(record.revision) }
            let fate = fates.fate(of: record.revision)
            // A failing CI check matters only to the release gate: without one, it deploys well.
            if fate != .good, !(fate == .checksFail && ci == nil) {
                violate("known-good only after the health gate", "\(record.revision.suffix(6)) (\(fate.rawValue)) was recorded known-good")
            }
        }
        if let ci {
            for deployment in world.deployments where !ci.passed(deployment.revision, at: deployment.createdAt) {
                violate(
                    "only what CI passed is deployed",
                    "\(deployment.service) \(deployment.id) of \(deployment.revision.suffix(6)) was created before its checks passed")
            }
        }
        if state.pin == nil, let request = state.request, let rollout = state.rollout, rollout.isActive, rollout.startedAt > request.at,
            ![.drift, .pin, .rollback].contains(rollout.trigger), rollout.revision != request.revision
        {
            violate(
                "a standing deployment request decides what rolls out",
                "\(rollout.id) rolls out \(rollout.revision.suffix(6)) although \(request.revision.suffix(6)) was requested before it started")
        }
        if let rollout = state.rollout, let problem = Self.timelineProblem(rollout) {
            violate("the timeline is the phases in order", "\(rollout.id): \(problem)")
        }
        for record in state.allKnownGood {
            for service in ServiceName.allCases {
                guard let id = record.deployments[service] else { continue }
                guard let deployment = world.deployment(id) else {
                    violate("known-good deployments serve it", "\(service) \(id) of \(record.revision.suffix(6)) does not exist")
                    continue
                }
                if deployment.revision != record.revision {
                    violate(
                        "known-good deployments serve it",
                        "\(service) \(id) runs \(deployment.revision.suffix(6)), recorded for \(record.revision.suffix(6))")
                }
            }
        }
    }

    /// What is wrong with `rollout`'s timeline, if anything: it must start at the rollout's start,
    /// each phase ending where the next begins, only the last one open (unless terminal), and
    /// end in the record's phase, begun when the record says the phase began.
    public static func timelineProblem(_ rollout: RolloutRecord) -> String? {
        guard let timeline = rollout.timeline, let first = timeline.first, let last = timeline.last else { return "no timeline" }
        if first.startedAt != rollout.startedAt { return "begins at \(first.startedAt), the rollout at \(rollout.startedAt)" }
        for (span, next) in zip(timeline, timeline.dropFirst()) where span.endedAt != next.startedAt {
            return "\(span.phase.rawValue) ends at \(span.endedAt.map { "\($0)" } ?? "-"), \(next.phase.rawValue) begins at \(next.startedAt)"
        }
        if last.phase != rollout.phase { return "ends in \(last.phase.rawValue), the record is in \(rollout.phase.rawValue)" }
        if last.startedAt != rollout.phaseStartedAt {
            return "the last phase began at \(last.startedAt), the record says \(rollout.phaseStartedAt.map { "\($0)" } ?? "-")"
        }
        if rollout.isActive == (last.endedAt != nil) { return "the \(last.phase.rawValue) span is \(last.endedAt == nil ? "open" : "closed")" }
        return nil
    }

    /// At the end: no more faults or takeovers; passes until the environment settles; then what
    /// runs must be consistent and where the record says, and more passes must add nothing.
    func settleAndCheck() async {
        world.clearFaults()
        ci?.setDown(false)
        store.contents.withLock { $0.takeoverAtNextProof = false }
        var settledPasses = 0
        var last: PassReport?
        for _ in 0..<600 {
            let delay = last.map(Self.delay(after:)) ?? 5
            clock.advance(seconds: delay)
            last = await pass(leader)
            if !model.withLock({ $0.violations.isEmpty }) { return }
            let idle = store.state.rollout?.isActive != true && world.quiet
            let done = last?.result == .succeeded || last?.result == .stalled
            settledPasses = idle && done ? settledPasses + 1 : 0
            if settledPasses >= 3 { break }
        }
        check()
        guard settledPasses >= 3, let report = last else {
            violate("the environment settles", "still moving after 600 passes: \(last?.message ?? "-")")
            return
        }
        if report.result == .stalled { return }  // A person must act: the record says why.
        let state = store.state
        if let orphans = state.orphanedBuilds, !orphans.isEmpty {
            violate("no build of a left rollout keeps running", orphans.map { "\($0.service) \($0.deployment)" }.joined(separator: ", "))
        }
        guard let desired = state.pin?.revision ?? state.request?.revision ?? repository.head?.hex else { return }
        let expected = state.failure(for: desired) != nil ? state.settledRevision : desired
        if let expected {
            if state.settledRevision != expected {
                violate(
                    "settles at the target or the known-good",
                    "settled at \(state.settledRevision?.suffix(6) ?? "nothing"), expected \(expected.suffix(6))")
            }
            let api = world.servingRevision(.api)
            let worker = world.servingRevision(.worker)
            let frontend = world.servingRevision(.frontend)
            if api != expected || worker != expected || frontend != expected {
                violate(
                    "api, worker and frontend serve the same revision",
                    "api \(api?.suffix(6) ?? "-"), worker \(worker?.suffix(6) ?? "-"), frontend \(frontend?.suffix(6) ?? "-"), expected \(expected.suffix(6))"
                )
            }
        }
        let history = store.history.count
        let mutations = world.mutationCount
        for _ in 0..<3 {
            clock.advance(seconds: 60)
            await pass(leader)
        }
        if store.history.count != history {
            violate(
                "steady state adds no history",
                store.history.suffix(store.history.count - history).map { "\($0.kind.rawValue): \($0.reason ?? $0.detail ?? "")" }.joined(
                    separator: "; "))
        }
        if world.mutationCount != mutations { violate("steady state changes no platform", "\(world.mutationCount - mutations) change(s) sent") }
    }

    static func delay(after report: PassReport) -> Double {
        switch report.result {
        case .requeued(let after), .waiting(let after): return min(30, max(5, after.seconds))
        default: return 10
        }
    }
}

/// Hands each daemon in-memory platforms stamped with its leadership epoch.
struct SimConnector: PlatformConnecting {
    let world: SimWorld
    let epoch: Int

    func platforms(for manifest: Manifest) throws -> Platforms {
        Platforms(
            vercel: SimDeployer(world: world, platform: .vercel, callerEpoch: epoch),
            railway: SimDeployer(world: world, platform: .railway, callerEpoch: epoch))
    }
}

/// What each simulated commit does when deployed.
final class FateBook: Sendable {
    private let fates = Mutex<[String: CommitFate]>([:])

    func fate(of revision: String) -> CommitFate { fates.withLock { $0[revision] ?? .good } }
    func set(_ fate: CommitFate, for revision: String) { fates.withLock { $0[revision] = fate } }
}
