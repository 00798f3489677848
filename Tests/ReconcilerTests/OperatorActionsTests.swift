import ClipnetContracts
import Foundation
import GitWatch
import KnownGoodStore
import Reconciler
import TestSupport
import Testing

/// A repository with a branch, its mirror, a file store, and the operator actions over them.
private struct Operators {
    let remote: GitFixture
    let directory: TemporaryDirectory
    let runtime: GitRuntime
    let mirror: GitMirror
    let store: FileStateStore
    let actions: OperatorActions

    static func make() async throws -> Operators {
        let runtime = try GitRuntime()
        let remote = try GitFixture(branch: "develop")
        let directory = try TemporaryDirectory()
        let mirror = try await GitMirror.open(url: remote.path, directory: directory.appending("mirror.git"), runtime: runtime)
        let store = try FileStateStore(directory: directory.appending("state"))
        let actions = OperatorActions(environment: "staging", branch: "develop", store: store, repository: mirror)
        return Operators(remote: remote, directory: directory, runtime: runtime, mirror: mirror, store: store, actions: actions)
    }

    /// Records `revisions` as known-good, oldest first.
    func recordKnownGood(_ revisions: [String]) async throws {
        for (index, revision) in revisions.enumerated() {
            try await store.update(environment: "staging") { state in
                state.recordKnownGood(
                    KnownGoodRecord(
                        revision: revision, at: Date(), deployments: .init(frontend: "dpl_\(index)", api: "api-\(index)", worker: "wrk-\(index)")))
                return [HistoryEntry(at: Date(), kind: .knownGood, revision: revision)]
            }
        }
    }
}

@Suite struct OperatorActionsTests {
    @Test func pinningARevisionOfTheBranchRecordsWhoAndWhy() async throws {
        let ops = try await Operators.make()
        let target = try ops.remote.commit(files: ["a": "1"], message: "a")
        try ops.remote.commit(files: ["a": "2"], message: "b")
        try await ops.mirror.fetch()

        let pin = try await ops.actions.pin(String(target.prefix(9)), reason: "hold for the demo", by: "alice")
        #expect(pin.revision == target)
        let state = try await ops.store.load(environment: "staging")
        #expect(state.pin?.revision == target)
        #expect(state.pin?.by == "alice")
        let history = try await ops.store.history(environment: "staging", limit: 1)
        #expect(history.first?.kind == .pinned)
        #expect(history.first?.reason == "hold for the demo")
    }

    @Test func aRevisionOffTheBranchNeedsForce() async throws {
        let ops = try await Operators.make()
        try ops.remote.git("checkout", "-q", "-b", "experiment")
        let off = try ops.remote.commit(files: ["x": "1"], message: "experiment")
        try ops.remote.git("checkout", "-q", "develop")
        try await ops.mirror.fetch()

        await #expect {
            try await ops.actions.pin(off, reason: "try it", by: "bob")
        } throws: { error in
            (error as? OperatorError)?.code == .notOnBranch && "\(error)".contains("--force")
        }
        #expect(try await ops.store.load(environment: "staging").pin == nil)

        let pin = try await ops.actions.pin(off, reason: "try it", by: "bob", force: true)
        #expect(pin.revision == off)
        #expect(try await ops.store.history(environment: "staging", limit: 1).first?.detail?.contains("forced") == true)
    }

    @Test func unknownRevisionsAndMissingReasonsAreRefusedClearly() async throws {
        let ops = try await Operators.make()
        try await ops.mirror.fetch()
        await #expect {
            try await ops.actions.pin("no-such-revision", reason: "x", by: "carol")
        } throws: { error in
            (error as? OperatorError)?.code == .unknownRevision && "\(error)".contains("no-such-revision")
        }
        await #expect {
            try await ops.actions.pin("develop", reason: "  ", by: "carol")
        } throws: { error in
            (error as? OperatorError)?.code == .invalidRequest
        }
    }

    @Test func unpinFollowsTheBranchAgain() async throws {
        let ops = try await Operators.make()
        try await ops.mirror.fetch()
        try await ops.actions.pin("develop", reason: "freeze", by: "dave")
        try await ops.actions.unpin(by: "dave", reason: "thaw")
        #expect(try await ops.store.load(environment: "staging").pin == nil)
        #expect(try await ops.store.history(environment: "staging", limit: 1).first?.kind == .unpinned)
        // Unpinning again changes nothing and records nothing.
        try await ops.actions.unpin(by: "dave")
        #expect(try await ops.store.history(environment: "staging", limit: 5).count == 2)
    }

    @Test func rollbackPinsThePreviousKnownGoodAndMarksTheBadRevisionFailed() async throws {
        let ops = try await Operators.make()
        let a = try ops.remote.commit(files: ["v": "a"], message: "a")
        let b = try ops.remote.commit(files: ["v": "b"], message: "b")
        let c = try ops.remote.commit(files: ["v": "c"], message: "c")
        try await ops.mirror.fetch()
        try await ops.recordKnownGood([a, b, c])

        let target = try await ops.actions.rollback(reason: "checkout is broken", by: "erin")
        #expect(target.revision == b)
        #expect(target.deployments.frontend == "dpl_1")
        let state = try await ops.store.load(environment: "staging")
        #expect(state.knownGood?.revision == b)
        #expect(state.pin?.revision == b)
        #expect(state.pin?.reason == "rollback: checkout is broken")
        #expect(state.failure(for: c)?.reason.contains("erin") == true)
        let entry = try #require(try await ops.store.history(environment: "staging", limit: 1).first)
        #expect(entry.kind == .rolledBack)
        #expect(entry.by == "erin")
        #expect(entry.detail == "from \(c)")

        // A second rollback goes further back, never forward to the revision rolled back from.
        let again = try await ops.actions.rollback(reason: "b is broken too", by: "erin")
        #expect(again.revision == a)
    }

    @Test func rollbackToANamedRevisionMustBeKnownGood() async throws {
        let ops = try await Operators.make()
        let a = try ops.remote.commit(files: ["v": "a"], message: "a")
        let b = try ops.remote.commit(files: ["v": "b"], message: "b")
        let never = try ops.remote.commit(files: ["v": "n"], message: "never deployed")
        let c = try ops.remote.commit(files: ["v": "c"], message: "c")
        try await ops.mirror.fetch()
        try await ops.recordKnownGood([a, b, c])

        let target = try await ops.actions.rollback(to: String(a.prefix(10)), reason: "back to a", by: "frank")
        #expect(target.revision == a)
        await #expect {
            try await ops.actions.rollback(to: never, reason: "x", by: "frank")
        } throws: { error in
            (error as? OperatorError)?.code == .noRollbackTarget && "\(error)".contains("not a known-good revision")
        }
    }

    @Test func rollbackWithoutAnyKnownGoodIsRefused() async throws {
        let ops = try await Operators.make()
        try await ops.mirror.fetch()
        await #expect {
            try await ops.actions.rollback(reason: "panic", by: "gina")
        } throws: { error in
            (error as? OperatorError)?.code == .noRollbackTarget
        }
    }

    @Test func retryClearsTheFailureOfTheDesiredRevision() async throws {
        let ops = try await Operators.make()
        try await ops.mirror.fetch()
        let head = try ops.remote.head()
        try await ops.store.update(environment: "staging") { state in
            state.recordFailure(FailedRevision(revision: head, at: Date(), reason: "worker build failed", phase: .deployBackend))
            return []
        }
        try await ops.actions.retry(by: "hank")
        #expect(try await ops.store.load(environment: "staging").failure(for: head) == nil)
        let entry = try await ops.store.history(environment: "staging", limit: 1).first
        #expect(entry?.kind == .retried)
        #expect(entry?.revision == head)
    }
}
