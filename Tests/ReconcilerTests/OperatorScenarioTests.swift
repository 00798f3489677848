import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import StagingSandbox
import Testing

/// Pins, rollbacks and unpins through the daemon, as the HTTP API and the CLI drive them.
@Suite(.serialized) struct OperatorScenarioTests {
    @Test(arguments: [Scenario.Store.file, .postgres])
    func aPinnedRevisionStaysWhateverLandsOnTheBranchUntilUnpinned(store: Scenario.Store) async throws {
        try await Scenario.with(store: store) { world in
            let first = try world.commit("First")
            try await world.settle()
            let second = try world.commit("Second")
            try await world.settle()
            let builds = (world.railwayDeployCalls, world.vercelCreateCalls)
            // Pinning a known-good revision is a re-point, not a rebuild
            _ = try await world.daemon.pin(first, reason: "hold for the customer demo", by: "alice", force: false)
            try await world.settle()
            #expect(world.apiRevision == first)
            #expect(world.workerRevision == first)
            #expect(world.frontendRevision == first)
            #expect(world.railwayDeployCalls == builds.0)
            #expect(world.vercelCreateCalls == builds.1)
            #expect(world.railwayRollbackCalls == 2)
            // The branch moves on; the environment stays pinned
            let third = try world.commit("Third")
            try await world.settle()
            #expect(world.apiRevision == first)
            let status = try #require(world.state())
            #expect(status.desired.source == .pin)
            #expect(status.desired.pin?.by == "alice")
            #expect(status.desired.pin?.reason == "hold for the customer demo")
            #expect(status.drift.isEmpty, "a pin is not drift: \(status.drift)")
            // Unpinning follows the branch again
            try await world.daemon.unpin(reason: "demo over", by: "alice")
            try await world.settle()
            #expect(world.apiRevision == third)
            #expect(world.frontendRevision == third)
            #expect(try await world.record().knownGood?.revision == third)
            _ = second
        }
    }

    @Test(arguments: [Scenario.Store.file, .postgres])
    func aRollbackRepointsToThePreviousKnownGoodWithoutBuilding(store: Scenario.Store) async throws {
        try await Scenario.with(store: store) { world in
            let first = try world.commit("First")
            try await world.settle()
            let second = try world.commit("Second")
            try await world.settle()
            let builds = (world.railwayDeployCalls, world.vercelCreateCalls)
            let target = try await world.daemon.rollback(to: nil, reason: "checkout errors since 14:02", by: "bob")
            #expect(target.revision == first)
            try await world.settle()
            #expect(world.apiRevision == first)
            #expect(world.workerRevision == first)
            #expect(world.frontendRevision == first)
            #expect(world.railwayDeployCalls == builds.0, "a rollback never rebuilds")
            #expect(world.vercelCreateCalls == builds.1)
            let record = try await world.record()
            #expect(record.knownGood?.revision == first)
            #expect(record.failure(for: second) != nil)
            let history = try await world.daemon.history(limit: 20)
            let entry = try #require(history.first { $0.kind == .rolledBack && $0.by == "bob" })
            #expect(entry.reason == "checkout errors since 14:02")
            #expect(history.contains { $0.kind == .repointed && $0.revision == first })
            // Unpinning does not roll the revision rolled back from out again
            try await world.daemon.unpin(reason: nil, by: "bob")
            try await world.settle()
            #expect(world.apiRevision == first)
        }
    }

    @Test func aPinOfARevisionThatWasNeverRolledOutBuildsIt() async throws {
        try await Scenario.with { world in
            let older = try world.commit("Older, never rolled out on its own")
            let newer = try world.commit("Newer")
            try await world.settle()
            #expect(world.apiRevision == newer)
            _ = try await world.daemon.pin(older, reason: "bisecting", by: "carol", force: false)
            try await world.settle()
            #expect(world.apiRevision == older)
            #expect(world.frontendRevision == older)
            #expect(try await world.record().knownGood?.revision == older)
        }
    }

    @Test func unknownRevisionsAndMissingReasonsAreRefusedClearly() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            await #expect(throws: OperatorError.self) {
                _ = try await world.daemon.pin("0123456789abcdef0123456789abcdef01234567", reason: "x", by: "dave", force: false)
            }
            do {
                _ = try await world.daemon.pin("no-such-branch", reason: "x", by: "dave", force: false)
                Issue.record("an unknown revision was pinned")
            } catch let error as OperatorError {
                #expect(error.code == .unknownRevision)
            }
            do {
                _ = try await world.daemon.rollback(to: nil, reason: "  ", by: "dave")
                Issue.record("a rollback without a reason was accepted")
            } catch let error as OperatorError {
                #expect(error.code == .invalidRequest)
            }
        }
    }
}

/// One daemon per file state directory: an overlapping restart under a supervisor must not run
/// two reconcilers on one record.
@Suite struct SingleDaemonTests {
    @Test func aSecondDaemonOnTheSameStateDirectoryRefusesToStart() async throws {
        try await Scenario.with { world in
            let configuration = try DaemonConfiguration.parse(world.configurationText, file: "scenario.yaml")
            var environment = world.sandbox.environment
            environment["RECONCILER_TOKEN"] = "scenario-operator-token"
            await #expect {
                _ = try await ReconcilerDaemon.make(configuration: configuration, environment: environment, logger: Scenario.quietLogger)
            } throws: { error in
                (error as? StateStoreError)?.code == .locked && "\(error)".contains("already runs on the state directory")
            }
        }
    }
}
