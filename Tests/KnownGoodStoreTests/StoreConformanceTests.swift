import ClipnetContracts
import Foundation
import KnownGoodStore
import Testing

/// One suite for every backend: what the reconciler relies on, whichever store is configured.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreBackend.allCases)
    func anEnvironmentNeverWrittenLoadsEmpty(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let state = try await harness.store.load(environment: harness.environment)
        #expect(state == EnvironmentState())
        #expect(try await harness.store.history(environment: harness.environment, limit: 10).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func everyRecordRoundTrips(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let started = Date(timeIntervalSince1970: 1_764_000_000.125)
        let pin = PinRecord(revision: record(7).revision, reason: "hold for demo", by: "alice", at: started)
        let rollout = RolloutRecord(
            id: "r-1", revision: record(8).revision, phase: .deployBackend, startedAt: started, updatedAt: started,
            deployments: ServiceDeployments(api: "api-8"), error: nil)
        let failure = FailedRevision(revision: record(9).revision, at: started, reason: "worker build failed", phase: .deployBackend)

        let committed = try await harness.store.update(environment: harness.environment) { state in
            state.recordKnownGood(record(1))
            state.recordKnownGood(record(2))
            state.pin = pin
            state.rollout = rollout
            state.recordFailure(failure)
            return [HistoryEntry(at: started, kind: .pinned, revision: pin.revision, by: "alice", reason: "hold for demo")]
        }
        let reopened = try await harness.reopen()
        let loaded = try await reopened.load(environment: harness.environment)

        #expect(loaded == committed)
        #expect(loaded.knownGood == record(2))
        #expect(loaded.previousKnownGood == [record(1)])
        #expect(loaded.pin == pin)
        #expect(loaded.rollout == rollout)
        #expect(loaded.failure(for: record(9).revision) == failure)
        #expect(loaded.generation == 1)
        #expect(loaded.historySequence == 1)
        let history = try await reopened.history(environment: harness.environment, limit: 10)
        #expect(history.map(\.kind) == [.pinned])
        #expect(history.first?.by == "alice")
        #expect(history.first?.at == started)
    }

    @Test(arguments: StoreBackend.allCases)
    func thePointerMovesBackAndForth(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let store = harness.store
        let environment = harness.environment
        for n in 1...3 {
            try await store.update(environment: environment) { state in
                state.recordKnownGood(record(n))
                return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(n).revision)]
            }
        }
        // Back to the previous record: 2, with 3 now first among the previous ones.
        var state = try await store.update(environment: environment) { state in
            let target = state.moveKnownGoodBack()
            return [HistoryEntry(at: Date(), kind: .rolledBack, revision: target?.revision, by: "bob", reason: "bad release")]
        }
        #expect(state.knownGood == record(2))
        #expect(state.previousKnownGood.map(\.revision) == [record(3), record(1)].map(\.revision))

        // Back to a named record: 1.
        state = try await store.update(environment: environment) { state in
            state.moveKnownGoodBack(to: record(1).revision)
            return []
        }
        #expect(state.knownGood == record(1))
        #expect(Set(state.previousKnownGood.map(\.revision)) == Set([record(2), record(3)].map(\.revision)))

        // And forward again to 3, which is a re-point to a recorded deployment, not a new record.
        state = try await store.update(environment: environment) { state in
            state.moveKnownGoodBack(to: record(3).revision)
            return []
        }
        #expect(state.knownGood == record(3))
        #expect(state.knownGood?.deployments.frontend == "dpl_3")

        // Moving to a revision that was never known-good changes nothing.
        state = try await store.update(environment: environment) { state in
            #expect(state.moveKnownGoodBack(to: String(repeating: "f", count: 40)) == nil)
            return []
        }
        #expect(state.knownGood == record(3))
        let reloaded = try await harness.reopen().load(environment: environment)
        #expect(reloaded == state)
    }

    @Test(arguments: StoreBackend.allCases)
    func previousKnownGoodRecordsAreBoundedNewestFirst(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let total = EnvironmentState.previousKnownGoodLimit + 5
        let state = try await harness.store.update(environment: harness.environment) { state in
            for n in 1...total { state.recordKnownGood(record(n)) }
            return []
        }
        #expect(state.knownGood == record(total))
        #expect(state.previousKnownGood.count == EnvironmentState.previousKnownGoodLimit)
        #expect(state.previousKnownGood.first == record(total - 1))
        #expect(state.previousKnownGood.last == record(total - EnvironmentState.previousKnownGoodLimit))
    }

    @Test(arguments: StoreBackend.allCases)
    func historyIsNewestFirstWithContiguousSequenceNumbers(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        for n in 1...5 {
            try await harness.store.update(environment: harness.environment) { _ in
                // Two entries in one update share its commit.
                [
                    HistoryEntry(at: Date(), kind: .rolloutStarted, revision: record(n).revision),
                    HistoryEntry(at: Date(), kind: .knownGood, revision: record(n).revision),
                ]
            }
        }
        let all = try await harness.store.history(environment: harness.environment, limit: 100)
        #expect(all.map(\.sequence) == Array((1...10).reversed()))
        #expect(all.first?.kind == .knownGood)
        #expect(all.first?.revision == record(5).revision)
        let limited = try await harness.store.history(environment: harness.environment, limit: 3)
        #expect(limited.map(\.sequence) == [10, 9, 8])
        let state = try await harness.store.load(environment: harness.environment)
        #expect(state.historySequence == 10)
    }

    @Test(arguments: StoreBackend.allCases)
    func aChangeThatThrowsCommitsNothing(backend: StoreBackend) async throws {
        struct Refused: Error {}
        let harness = try await backend.makeHarness()
        try await harness.store.update(environment: harness.environment) { state in
            state.recordKnownGood(record(1))
            return []
        }
        await #expect(throws: Refused.self) {
            try await harness.store.update(environment: harness.environment) { state in
                state.recordKnownGood(record(2))
                throw Refused()
            }
        }
        let state = try await harness.store.load(environment: harness.environment)
        #expect(state.knownGood == record(1))
        #expect(state.generation == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentWritersDoNotLoseUpdates(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let environment = harness.environment
        // Half the writers use a second, independent handle, as a second process would.
        let second = try await harness.reopen()
        let writers = 8
        let updatesPerWriter = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                let store = writer.isMultiple(of: 2) ? harness.store : second
                group.addTask {
                    for _ in 0..<updatesPerWriter {
                        try await store.update(environment: environment) { state in
                            // A read-modify-write of a value only the closure maintains.
                            let count = Int(state.pin?.reason ?? "0")! + 1
                            state.pin = PinRecord(revision: record(count).revision, reason: String(count), by: "writer-\(writer)", at: Date())
                            return [HistoryEntry(at: Date(), kind: .pinned, revision: record(count).revision, by: "writer-\(writer)")]
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = writers * updatesPerWriter
        let state = try await harness.store.load(environment: environment)
        #expect(state.pin?.reason == String(total))
        #expect(state.generation == Int64(total))
        let history = try await harness.store.history(environment: environment, limit: total + 10)
        #expect(history.count == total)
        #expect(Set(history.map(\.sequence)) == Set((1...Int64(total))))
    }

    @Test(arguments: StoreBackend.allCases)
    func environmentsAreKeptApart(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let other = harness.environment + "-other"
        try await harness.store.update(environment: harness.environment) { state in
            state.recordKnownGood(record(1))
            return [HistoryEntry(at: Date(), kind: .knownGood)]
        }
        #expect(try await harness.store.load(environment: other) == EnvironmentState())
        #expect(try await harness.store.history(environment: other, limit: 5).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func unsafeEnvironmentNamesAreRefused(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        for name in ["../etc", "Staging", "", "a b", "x;drop table"] {
            await #expect(throws: StateStoreError.self) { try await harness.store.load(environment: name) }
        }
    }
}
