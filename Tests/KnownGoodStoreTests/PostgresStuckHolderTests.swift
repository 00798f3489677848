import AsyncPrimitives
import ClipnetContracts
import Foundation
import KnownGoodStore
import PostgresClient
import TestSupport
import Testing

/// A partitioned old leader holding the environment's row lock must not block the new leader's
/// writes for hours: the store's session waits at most `lockTimeout` per attempt, and the server
/// ends a store session idle in a transaction after `idleInTransactionTimeout`.
@Suite struct PostgresStuckHolderTests {
    /// A second libpq session that locks the environment's row and then goes silent inside the
    /// transaction, as a paused or partitioned daemon would.
    private func stuckHolder(
        url: String, environment: String, applicationName: String, settings: [(name: String, value: String)]
    ) async throws
        -> PostgresConnection
    {
        let holder = try await PostgresConnection.connect(url: url, options: .init(applicationName: applicationName))
        _ = try await holder.execute("BEGIN")
        let locked = try await holder.query(
            "SELECT environment FROM reconciler_environments WHERE environment = $1::text FOR UPDATE", [environment])
        #expect(locked.count == 1)
        // The settings come after the lock: a one-second idle-in-transaction timeout set before it
        // would let a loaded machine's pause between BEGIN and the SELECT end the holder first.
        for setting in settings {
            _ = try await holder.query("SELECT set_config($1::text, $2::text, false)", [setting.name, setting.value])
        }
        return holder
    }

    @Test func aWriteBlockedByAStuckHolderFailsByTheLockTimeoutInsteadOfWaiting() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let name = uniqueName("stuck")
        let setup = try await PostgresStateStore(url: url)
        try await setup.update(environment: environment) { _ in [HistoryEntry(at: Date(), kind: .pinned)] }
        let holder = try await stuckHolder(url: url, environment: environment, applicationName: name, settings: [])
        defer { _ = try? PSQL.terminateSessions(applicationName: name) }

        let store = try await PostgresStateStore(
            url: url,
            // Enough attempts to ride out other tests' migrations (an advisory lock, also bounded by
            // lock_timeout); the stuck holder never lets go, so every attempt of the update fails.
            configuration: .init(
                retryBackoff: .init(initial: .milliseconds(10), maximum: .milliseconds(20)), maxAttempts: 10, lockTimeout: .milliseconds(200)))
        await #expect {
            try await store.update(environment: environment) { _ in [HistoryEntry(at: Date(), kind: .pinned)] }
        } throws: { error in
            (error as? StateStoreError)?.code == .unavailable && "\(error)".contains("55P03")
        }
        await holder.close()
    }

    @Test func theNewLeaderTakesOverOnceTheServerEndsTheStuckOldLeadersSession() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let name = uniqueName("old-leader")
        let setup = try await PostgresStateStore(url: url)
        try await setup.update(environment: environment) { _ in [HistoryEntry(at: Date(), kind: .pinned)] }
        // The old leader's store session, configured as the store configures its own, stuck in a
        // transaction that holds the row.
        let oldLeader = PostgresStateStore.Configuration(idleInTransactionTimeout: .seconds(1))
        let holder = try await stuckHolder(url: url, environment: environment, applicationName: name, settings: oldLeader.sessionSettings)
        defer { _ = try? PSQL.terminateSessions(applicationName: name) }

        let newLeader = try await PostgresStateStore(
            url: url,
            configuration: .init(
                retryBackoff: .init(initial: .milliseconds(100), maximum: .milliseconds(300)), maxAttempts: 60, lockTimeout: .milliseconds(200)))
        let state = try await newLeader.update(environment: environment) { _ in [HistoryEntry(at: Date(), kind: .unpinned)] }

        #expect(state.generation == 2)
        #expect(try PSQL.value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(name)'") == "0")
        await holder.close()
    }
}
