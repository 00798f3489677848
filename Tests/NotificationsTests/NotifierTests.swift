import AsyncPrimitives
import ClipnetContracts
import Foundation
import KnownGoodStore
import Logging
import Notifications
import RolloutSimulation
import Synchronization
import Testing

/// The notifier's promises, against an in-memory store: every history entry reaches a channel
/// once, through outages and restarts; a refused event does not stop the channel; only the
/// leader sends.
@Suite struct NotifierTests {
    static let environment = "staging"

    static func notifier(
        _ channel: any NotificationChannel, store: (any StateStore)?, context: NotificationContext = NotificationContext(), startSequence: Int64 = 0
    ) -> Notifier {
        var logger = Logger(label: "notifier-test")
        logger.logLevel = .critical
        return Notifier(
            environment: environment, channels: [channel], startSequence: startSequence,
            planner: NotificationPlanner(environment: environment, statusURL: nil, repositoryWebURL: nil),
            inputs: { Notifier.Inputs(store: store, context: context) }, describe: { _ in nil }, onStatus: { _ in },
            backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(10), jitter: 0), logger: logger)
    }

    static func append(_ store: any StateStore, _ change: @escaping @Sendable (inout EnvironmentState) -> [HistoryEntry]) async throws {
        try await store.update(environment: environment) { change(&$0) }
    }

    static let phases: [RolloutPhase] = [.syncVariables, .deployBackend, .verifyBackend, .deployFrontend, .healthGate, .markKnownGood]

    /// Random histories (operator actions, rollouts moving phase by phase, successes and
    /// failures) with rounds, outages and restarts of the notifier between them: in the end the
    /// channel has had every entry exactly once, in order, and no event twice.
    @Test(arguments: 1...60)
    func everyEntryReachesTheChannelOnceThroughOutagesAndRestarts(seed: Int) async throws {
        var random = SeededGenerator(seed: UInt64(seed))
        let sim = SimStateStore()
        let store = sim.store(epoch: 1)
        let channel = RecordingChannel()
        var notifier = Self.notifier(channel, store: store)
        var clock = Date(timeIntervalSince1970: 1_800_000_000)
        var rollouts = 0
        for _ in 0..<80 {
            clock.addTimeInterval(1)
            let now = clock
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                let kind = [HistoryKind.pinned, .unpinned, .retried, .driftHealed].randomElement(using: &random)!
                try await Self.append(store) { _ in [HistoryEntry(at: now, kind: kind, revision: String(repeating: "a", count: 40), by: "alice")] }
            case 1:
                rollouts += 1
                let id = "ro-\(rollouts)"
                try await Self.append(store) { state in
                    guard state.rollout?.isActive != true else { return [] }
                    var record = RolloutRecord(
                        id: id, revision: String(repeating: "b", count: 40), phase: .syncVariables, startedAt: now, updatedAt: now)
                    record.timeline = [PhaseSpan(phase: .syncVariables, startedAt: now)]
                    state.rollout = record
                    return [HistoryEntry(at: now, kind: .rolloutStarted, revision: record.revision, rolloutID: id)]
                }
            case 2, 3:
                try await Self.append(store) { state in
                    guard var record = state.rollout, record.isActive, let index = Self.phases.firstIndex(of: record.phase),
                        index + 1 < Self.phases.count
                    else { return [] }
                    record.phase = Self.phases[index + 1]
                    record.timeline = (record.timeline ?? []).moving(to: record.phase, at: now)
                    state.rollout = record
                    return []
                }
            case 4:
                let succeeds = Bool.random(using: &random)
                try await Self.append(store) { state in
                    guard var record = state.rollout, record.isActive else { return [] }
                    record.phase = succeeds ? .succeeded : .failed
                    record.timeline = (record.timeline ?? []).moving(to: record.phase, at: now)
                    state.rollout = record
                    return [
                        HistoryEntry(at: now, kind: succeeds ? .knownGood : .rolloutFailed, revision: record.revision, rolloutID: record.id)
                    ]
                }
            case 5:
                channel.book.withLock { $0.failNext = Int.random(in: 1...3, using: &random) }
            case 6:
                // A restart: what the process knew of the channel is gone, the marks are stored.
                notifier = Self.notifier(channel, store: store)
            default:
                await notifier.deliverNow(now: now)
            }
        }
        channel.book.withLock { $0.failNext = 0 }
        for _ in 0..<5 {
            clock.addTimeInterval(1)
            await notifier.deliverNow(now: clock)
        }

        let delivered = channel.delivered
        let ids = delivered.map(\.id)
        #expect(Set(ids).count == ids.count, "an event was delivered twice (seed \(seed))")
        let told = delivered.compactMap { event -> Int64? in
            guard let range = event.id.range(of: "\(Self.environment)-h") else { return nil }
            return Int64(event.id[range.upperBound...])
        }
        let history = sim.history.map(\.sequence)
        #expect(told == history, "every entry once, in order (seed \(seed))")
        #expect(notifier.status().first?.pending == 0)
        // The rollout in flight at the end was announced in the phase it is in.
        if let record = sim.state.rollout, record.isActive {
            #expect(delivered.last { $0.rollout?.id == record.id }?.rollout?.phase == record.phase.rawValue)
        }
    }

    @Test func anEventTheChannelRefusesIsDroppedAfterThreeTriesAndTheRestGoes() async throws {
        let sim = SimStateStore()
        let store = sim.store(epoch: 1)
        let channel = RecordingChannel()
        channel.book.withLock { $0.refuse = [.pinned] }
        let notifier = Self.notifier(channel, store: store)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try await Self.append(store) { _ in [HistoryEntry(at: start, kind: .pinned, revision: String(repeating: "c", count: 40), by: "alice")] }
        try await Self.append(store) { _ in [HistoryEntry(at: start, kind: .unpinned, revision: String(repeating: "c", count: 40), by: "bob")] }
        for round in 0..<3 {
            await notifier.deliverNow(now: start.addingTimeInterval(Double(round)))
        }
        #expect(channel.delivered.map(\.type) == [.unpinned])
        #expect(channel.book.withLock { $0.attempts } == 4, "three refusals, then the next event")
        #expect(sim.state.notifications?.channels["recording"]?.historySequence == 2)
        #expect(notifier.status().first?.state == "ok")
    }

    @Test func aStandbySendsNothingAndADeposedLeaderNeitherSendsNorMovesTheMarks() async throws {
        let sim = SimStateStore()
        let store = sim.store(epoch: 1)
        let channel = RecordingChannel()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await Self.append(store) { _ in [HistoryEntry(at: now, kind: .retried, revision: String(repeating: "d", count: 40), by: "alice")] }

        let standby = Self.notifier(channel, store: nil)
        await standby.deliverNow(now: now)
        #expect(channel.delivered.isEmpty)
        #expect(standby.status().first?.state == "standby")

        let leader = Self.notifier(channel, store: store)
        await leader.deliverNow(now: now)  // the channel's marks start here
        #expect(channel.delivered.count == 1)
        try await Self.append(store) { _ in [HistoryEntry(at: now, kind: .unpinned, revision: String(repeating: "d", count: 40), by: "bob")] }
        sim.takeOverAtNextProof()
        await leader.deliverNow(now: now.addingTimeInterval(1))
        #expect(channel.delivered.count == 1, "a deposed leader sent an event")
        #expect(sim.state.notifications?.channels["recording"]?.historySequence == 1)

        // The new leader delivers it from the stored marks.
        let successor = Self.notifier(channel, store: sim.store(epoch: sim.epoch))
        await successor.deliverNow(now: now.addingTimeInterval(2))
        #expect(channel.delivered.map(\.type) == [.retried, .unpinned])
    }

    @Test func aChannelFirstConfiguredStartsAtTheDaemonsStartNotAtTheBeginningOfHistory() async throws {
        let sim = SimStateStore()
        let store = sim.store(epoch: 1)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<5 {
            try await Self.append(store) { _ in [HistoryEntry(at: now, kind: .retried, revision: String(repeating: "e", count: 40), by: "old")] }
        }
        let channel = RecordingChannel()
        let notifier = Self.notifier(channel, store: store, startSequence: 5)
        try await Self.append(store) { _ in [HistoryEntry(at: now, kind: .pinned, revision: String(repeating: "e", count: 40), by: "new")] }
        await notifier.deliverNow(now: now)
        #expect(channel.delivered.map(\.actor) == ["new"])
    }

    @Test func aStallAndTheReportedDriftAreToldOnEachChangeOnly() async throws {
        let sim = SimStateStore()
        let store = sim.store(epoch: 1)
        let channel = RecordingChannel()
        let context = Mutex(NotificationContext(passKnown: false))
        var logger = Logger(label: "notifier-test")
        logger.logLevel = .critical
        let notifier = Notifier(
            environment: Self.environment, channels: [channel], startSequence: 0,
            planner: NotificationPlanner(environment: Self.environment, statusURL: nil, repositoryWebURL: nil),
            inputs: { Notifier.Inputs(store: store, context: context.withLock { $0 }) }, describe: { _ in nil }, onStatus: { _ in },
            logger: logger)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // Nothing is known before a pass finished: no "recovered" at start.
        await notifier.deliverNow(now: now)
        context.withLock { $0 = NotificationContext(passKnown: true, driftKnown: true) }
        await notifier.deliverNow(now: now)
        #expect(channel.delivered.isEmpty)
        context.withLock {
            $0.stall = .init(key: "preflight/invalid_manifest", message: "deploy/staging.yaml:3:1: unknown key")
            $0.reportedDrift = ["autoDeploy[worker]: on"]
        }
        for _ in 0..<3 { await notifier.deliverNow(now: now) }
        #expect(channel.delivered.map(\.type) == [.stalled, .driftReported])
        context.withLock {
            $0.stall = nil
            $0.reportedDrift = []
        }
        for _ in 0..<3 { await notifier.deliverNow(now: now) }
        #expect(channel.delivered.map(\.type) == [.stalled, .driftReported, .recovered, .driftCleared])
    }
}

/// A store whose history read races a write: an entry is appended just before each read, as a
/// pass may append while the notifier reads.
struct RacingStore: StateStore {
    let base: SimFencedStore

    func load(environment: String) async throws -> EnvironmentState { try await base.load(environment: environment) }

    func update(
        environment: String, _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try await base.update(environment: environment, change)
    }

    func history(environment: String, limit: Int) async throws -> [HistoryEntry] {
        try await base.update(environment: environment) { _ in
            [HistoryEntry(at: Date(timeIntervalSince1970: 1_800_000_000), kind: .retried, revision: String(repeating: "9", count: 40), by: "racer")]
        }
        return try await base.history(environment: environment, limit: limit)
    }

    func proveLeadership() async throws { try await base.proveLeadership() }
}

@Suite struct NotifierRaceTests {
    @Test func anEntryAppendedWhileTheHistoryIsReadNeitherHidesAnOlderOneNorIsLost() async throws {
        let sim = SimStateStore()
        let base = sim.store(epoch: 1)
        let channel = RecordingChannel()
        let notifier = NotifierTests.notifier(channel, store: RacingStore(base: base))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        await notifier.deliverNow(now: now)  // the channel's marks start at 0 (nothing yet)
        for name in ["a", "b", "c"] {
            try await NotifierTests.append(base) { _ in [HistoryEntry(at: now, kind: .pinned, revision: String(repeating: "a", count: 40), by: name)]
            }
        }
        for round in 1...6 { await notifier.deliverNow(now: now.addingTimeInterval(Double(round))) }
        let told = channel.delivered.compactMap { event -> Int64? in
            guard let range = event.id.range(of: "staging-h") else { return nil }
            return Int64(event.id[range.upperBound...])
        }
        // Every entry up to the last round's read, once, in order: none skipped by the race.
        #expect(told == Array(1...Int64(told.count)), "\(told)")
        #expect(told.count >= 6, "the three entries and the racing ones that followed: \(told)")
        #expect(channel.delivered.prefix(3).map(\.actor) == ["a", "b", "c"])
    }
}
