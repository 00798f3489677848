import ClipnetContracts
import Foundation
import KnownGoodStore
import TestSupport
import Testing

/// One active daemon among replicas: the advisory lock, takeover, and fencing of a deposed
/// leader. Waits are "eventually, within 30 s" polls, never timing assertions.
@Suite struct LeaderElectionTests {
    @Test func twoContendersElectOneLeaderAndTheStandbyTakesOverWhenTheLeaderIsKilled() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let torture = ChildProcess.productPath("StoreTorture")
        let child = try KillableChild(executable: torture, arguments: ["lead", url, environment])
        try await child.line("leader")
        let childHolder = try #require(try PSQL.value("SELECT holder FROM reconciler_leadership WHERE environment = '\(environment)'"))
        let childEpoch = try #require(Int64(try PSQL.value("SELECT epoch FROM reconciler_leadership WHERE environment = '\(environment)'") ?? ""))

        let standby = try fastElection(url: url, environment: environment, applicationName: uniqueName("elector"))
        let log = LeadershipLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await standby.run() }
            group.addTask { await log.follow(standby) }

            #expect(await eventually { log.events.contains(.standby) })
            // Give the standby several tries at the lock: it must not get it while the child lives.
            try await Task.sleep(for: .milliseconds(500))
            #expect(log.leaderFences.isEmpty)
            #expect(standby.fence == nil)
            #expect(try PSQL.leadershipLockHolders(environment: environment) == 1)
            #expect(childHolder != standby.holder)

            await child.killNow()
            #expect(await eventually { standby.fence != nil }, "the standby did not take over within 30 s")
            let fence = try #require(standby.fence)
            #expect(fence.epoch > childEpoch)
            #expect(fence.holder == standby.holder)
            // The stream reports the same, in order (it may trail the `fence` property a little).
            #expect(await eventually { log.events == [.standby, .leader(fence)] }, "\(log.events)")
            #expect(try PSQL.leadershipLockHolders(environment: environment) == 1)
            #expect(try PSQL.value("SELECT holder FROM reconciler_leadership WHERE environment = '\(environment)'") == standby.holder)
            group.cancelAll()
        }
    }

    @Test func aDeposedLeaderReportsTheLossAndItsFencedWritesFailWithNotLeader() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let firstSession = uniqueName("elector")
        let first = try fastElection(url: url, environment: environment, applicationName: firstSession)
        let second = try fastElection(url: url, environment: environment, applicationName: uniqueName("elector"))
        let firstLog = LeadershipLog()
        let secondLog = LeadershipLog()
        let store = try await PostgresStateStore(url: url)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await firstLog.follow(first) }
            #expect(await eventually { first.fence != nil })
            let deposed = try #require(first.fence)
            group.addTask { await second.run() }
            group.addTask { await secondLog.follow(second) }
            #expect(await eventually { secondLog.events == [.standby] })
            #expect(try PSQL.leadershipLockHolders(environment: environment) == 1)

            // While it leads, the first elector's fenced writes go through.
            let written = try await store.update(environment: environment, fence: deposed) { state in
                state.recordKnownGood(record(1))
                return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(1).revision)]
            }
            #expect(written.generation == 1)

            // Its session dies (a crash, a partition, an operator): the lock is released.
            #expect(try PSQL.terminateSessions(applicationName: firstSession) == 1)
            #expect(await eventually { second.fence != nil }, "the standby did not take over within 30 s")
            let current = try #require(second.fence)
            #expect(current.epoch == deposed.epoch + 1)
            #expect(await eventually { firstLog.events.count >= 2 }, "the deposed leader did not report the loss within 30 s")
            #expect(firstLog.events.starts(with: [.leader(deposed), .standby]))

            // The deposed leader's late writes are refused, directly or through a fenced view.
            for attempt in [store.fenced(by: deposed) as any StateStore, store.fenced(by: deposed)] {
                await #expect {
                    try await attempt.update(environment: environment) { state in
                        state.recordKnownGood(record(2))
                        return [HistoryEntry(at: Date(), kind: .knownGood)]
                    }
                } throws: { error in
                    (error as? StateStoreError)?.code == .notLeader
                }
            }
            #expect(try await store.load(environment: environment).generation == 1)
            // The new leader's fenced write goes through.
            let next = try await store.fenced(by: current).update(environment: environment) { state in
                state.recordKnownGood(record(3))
                return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(3).revision)]
            }
            #expect(next.generation == 2)
            #expect(next.knownGood == record(3))
            group.cancelAll()
        }
        await store.close()
    }

    @Test func aLeaderThatStopsHandsOverToAStandby() async throws {
        let url = try TestServices.postgresURL()
        let environment = uniqueName("t")
        let first = try fastElection(url: url, environment: environment, applicationName: uniqueName("elector"))
        let second = try fastElection(url: url, environment: environment, applicationName: uniqueName("elector"))
        let firstLog = LeadershipLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            let leading = Task { await first.run() }
            group.addTask { await firstLog.follow(first) }
            #expect(await eventually { first.fence != nil })
            group.addTask { await second.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(second.fence == nil)

            leading.cancel()
            await leading.value
            // Stopping reports the loss, ends the stream and closes the session.
            #expect(await eventually { firstLog.finished })
            #expect(firstLog.events.last == .standby)
            #expect(first.fence == nil)
            #expect(await eventually { second.fence != nil }, "the standby did not take over within 30 s")
            group.cancelAll()
        }
    }

    @Test func aFenceAuthorizesNothingButItsOwnEnvironmentsCurrentEpoch() async throws {
        let url = try TestServices.postgresURL()
        let store = try await PostgresStateStore(url: url)
        let environment = uniqueName("t")
        let neverElected = LeaderFence(environment: environment, epoch: 1, holder: "nobody")
        await #expect {
            try await store.update(environment: environment, fence: neverElected) { _ in [] }
        } throws: { error in
            (error as? StateStoreError)?.code == .notLeader
        }
        await #expect {
            try await store.update(environment: environment + "-other", fence: neverElected) { _ in [] }
        } throws: { error in
            (error as? StateStoreError)?.code == .invalidConfiguration
        }
        #expect(try await store.load(environment: environment).generation == 0)
        await store.close()
    }

    @Test func lockKeysAreStableAcrossProcessesAndDistinctPerEnvironment() {
        // FNV-1a of "clipnet.reconciler.leader/staging": the same in every build and process.
        #expect(LeaderElection.lockKey(environment: "staging") == LeaderElection.lockKey(environment: "staging"))
        #expect(LeaderElection.lockKey(environment: "staging") == AdvisoryLockKey.make("clipnet.reconciler.leader/staging"))
        #expect(AdvisoryLockKey.make("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(AdvisoryLockKey.make("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        #expect(LeaderElection.lockKey(environment: "staging") != LeaderElection.lockKey(environment: "production"))
    }
}
