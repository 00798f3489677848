import AsyncPrimitives
import ClipnetContracts
import Foundation
import KnownGoodStore
import Synchronization
import TestSupport
import Testing

/// What only the PostgreSQL backend has to get right: its tables, migrations and sessions.
/// (Everything both backends share runs in `StoreConformanceTests` and `StoreCrashTests`.)
@Suite struct PostgresStateStoreTests {
    @Test func theStateIsJSONBAndEachHistoryEntryARowOfItsOwn() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let store = try await PostgresStateStore(url: url)
        try await store.update(environment: environment) { state in
            state.recordKnownGood(record(1))
            return [
                HistoryEntry(at: Date(), kind: .rolloutStarted, revision: record(1).revision),
                HistoryEntry(at: Date(), kind: .knownGood, revision: record(1).revision),
            ]
        }
        let document = try PSQL.rows(
            """
            SELECT jsonb_typeof(state), generation, state->>'generation', state->'knownGood'->>'revision'
            FROM reconciler_environments WHERE environment = '\(environment)'
            """)
        #expect(document == [["object", "1", "1", record(1).revision]])
        let history = try PSQL.rows(
            "SELECT sequence, kind, revision, entry->>'sequence' FROM reconciler_history WHERE environment = '\(environment)' ORDER BY sequence")
        #expect(history == [["1", "rolloutStarted", record(1).revision, "1"], ["2", "knownGood", record(1).revision, "2"]])
        #expect(try PSQL.rows("SELECT version FROM reconciler_schema_migrations ORDER BY version") == [["1"]])
    }

    @Test func replicasStartingTogetherMigrateAFreshDatabaseExactlyOnce() async throws {
        let database = try PSQL.createDatabase()
        defer { try? PSQL.dropDatabase(database.name) }
        let replicas = 6
        let environment = uniqueName("t")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<replicas {
                group.addTask {
                    let store = try await PostgresStateStore(url: database.url)
                    try await store.update(environment: environment) { _ in [HistoryEntry(at: Date(), kind: .pinned)] }
                    await store.close()
                }
            }
            try await group.waitForAll()
        }
        #expect(try PSQL.rows("SELECT version FROM reconciler_schema_migrations", url: database.url) == [["1"]])
        #expect(try PSQL.value("SELECT generation FROM reconciler_environments", url: database.url) == String(replicas))
    }

    @Test func aDatabaseMigratedByANewerBuildIsRefused() async throws {
        let database = try PSQL.createDatabase()
        defer { try? PSQL.dropDatabase(database.name) }
        let first = try await PostgresStateStore(url: database.url)
        await first.close()
        try PSQL.rows("INSERT INTO reconciler_schema_migrations (version, summary) VALUES (999, 'from the future')", url: database.url)
        let error = try await #require(throws: StateStoreError.self) { try await PostgresStateStore(url: database.url) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("999"))
    }

    @Test func aSessionTerminatedBetweenUpdatesIsReopened() async throws {
        let application = uniqueName("store")
        let environment = uniqueName("t")
        let store = try await PostgresStateStore(url: try TestServices.postgresURL(), configuration: .init(applicationName: application))
        try await store.update(environment: environment) { state in
            state.recordKnownGood(record(1))
            return [HistoryEntry(at: Date(), kind: .knownGood)]
        }
        #expect(try PSQL.terminateSessions(applicationName: application) == 1)

        let state = try await store.update(environment: environment) { state in
            state.recordKnownGood(record(2))
            return [HistoryEntry(at: Date(), kind: .knownGood)]
        }
        #expect(state.generation == 2)
        #expect(state.knownGood == record(2))
        #expect(try await store.history(environment: environment, limit: 10).map(\.sequence) == [2, 1])
    }

    @Test func aSessionLostInTheMiddleOfAnUpdateLeavesNothingHalfWrittenAndTheRetryAppliesOnce() async throws {
        let application = uniqueName("store")
        let environment = uniqueName("t")
        let store = try await PostgresStateStore(
            url: try TestServices.postgresURL(),
            configuration: .init(applicationName: application, retryBackoff: .init(initial: .milliseconds(10), maximum: .milliseconds(50))))
        try await store.update(environment: environment) { state in
            state.recordKnownGood(record(1))
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(1).revision)]
        }
        let runs = Mutex(0)
        let state = try await store.update(environment: environment) { state in
            let run = runs.withLock { runs in
                runs += 1
                return runs
            }
            if run == 1 {
                // The row is locked and read; the session dies before the new state is written.
                _ = try PSQL.terminateSessions(applicationName: application)
            }
            state.recordKnownGood(record(2))
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(2).revision)]
        }
        #expect(runs.withLock { $0 } == 2)
        #expect(state.generation == 2)
        #expect(state.knownGood == record(2))
        #expect(state.previousKnownGood == [record(1)])
        let history = try await store.history(environment: environment, limit: 10)
        #expect(history.map(\.sequence) == [2, 1])
        #expect(try await store.load(environment: environment) == state)
    }

    @Test func aCommitWhoseAnswerWasLostIsRecognizedAndNotAppliedTwice() async throws {
        let upstream = try #require(URLComponents(string: try TestServices.postgresURL()))
        let proxy = try CommitDroppingProxy(upstreamPort: try #require(upstream.port))
        defer { proxy.stop() }
        var proxied = upstream
        proxied.port = proxy.port
        let environment = uniqueName("t")
        let store = try await PostgresStateStore(
            url: try #require(proxied.string),
            configuration: .init(retryBackoff: .init(initial: .milliseconds(10), maximum: .milliseconds(50))))
        let runs = Mutex(0)
        proxy.arm()
        let state = try await store.update(environment: environment) { state in
            runs.withLock { $0 += 1 }
            state.recordKnownGood(record(1))
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(1).revision)]
        }
        #expect(proxy.dropped == 1)
        // The server had committed: the retry found its write id and did not run the change again.
        #expect(runs.withLock { $0 } == 1)
        #expect(state.generation == 1)
        #expect(try await store.load(environment: environment) == state)
        #expect(try await store.history(environment: environment, limit: 10).map(\.sequence) == [1])
        await store.close()
    }

    @Test func aStateThatCannotBeDecodedIsReportedAndLeftAsItIs() async throws {
        let harness = try await StoreBackend.postgres.makeHarness()
        try await harness.store.update(environment: harness.environment) { _ in [] }
        try PSQL.rows("UPDATE reconciler_environments SET state = '{\"generation\": \"many\"}' WHERE environment = '\(harness.environment)'")

        await #expect {
            try await harness.store.load(environment: harness.environment)
        } throws: { error in
            (error as? StateStoreError)?.code == .corrupt && "\(error)".contains(harness.environment)
        }
        await #expect(throws: StateStoreError.self) {
            try await harness.store.update(environment: harness.environment) { _ in [] }
        }
        let stored = try PSQL.value("SELECT state::text FROM reconciler_environments WHERE environment = '\(harness.environment)'")
        #expect(stored == "{\"generation\": \"many\"}")
    }

    @Test func anUnreachableServerIsReportedUnavailableWithoutItsPassword() async throws {
        let password = "Hunter2-s3cret"
        let url = "postgresql://postgres:\(password)@127.0.0.1:\(try UnusedLoopbackPort.make())/postgres"
        let error = try await #require(throws: StateStoreError.self) {
            try await PostgresStateStore(
                url: url, configuration: .init(retryBackoff: .init(initial: .milliseconds(10), maximum: .milliseconds(20)), maxAttempts: 3))
        }
        #expect(error.code == .unavailable)
        #expect(error.isRetryable)
        #expect(error.message.contains("failed 3 times"))
        #expect(!"\(error)".contains(password))
    }
}
