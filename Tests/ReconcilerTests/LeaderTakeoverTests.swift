import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import StagingSandbox
import TestSupport
import Testing

/// Two daemons on one PostgreSQL store: only the leader reconciles; when it is killed mid-rollout
/// the standby takes over and finishes the same rollout without deploying anything twice.
@Suite struct LeaderTakeoverTests {
    @Test func aStandbyTakesOverAnInFlightRolloutWhenTheLeaderDies() async throws {
        let sandbox = try await DaemonCrashTests.slowSandbox(healthWindow: 1)
        let database = try await TestDatabase.make(prefix: "takeover")
        defer {
            Task { await sandbox.stop() }
            try? TestDatabase.drop(database.name)
        }
        let config = try sandbox.writeDaemonConfiguration(sandbox.daemonConfiguration(state: database.url))
        let store = try await PostgresStateStore(url: database.url)
        let first = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        let second = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        try await first.waitUntilRunning()
        try await second.waitUntilRunning()
        let leaderPID = try await Self.leaderPID(database.url)
        #expect([first.pid, second.pid].contains(leaderPID))
        let (leader, standby) = leaderPID == first.pid ? (first, second) : (second, first)

        // A rollout starts; kill the leader while the builds run
        let revision = try sandbox.commit("Rolled out across a takeover")
        let building = await eventually(within: .seconds(60)) {
            (try? await store.load(environment: "staging").rollout).map { $0.revision == revision && $0.phase == .deployBackend } ?? false
        }
        #expect(building)
        let rolloutID = try await store.load(environment: "staging").rollout?.id
        await leader.killHard()

        // The standby leads and finishes the same rollout
        let finished = await eventually(within: .seconds(60)) {
            (try? await store.load(environment: "staging").rollout).map { $0.revision == revision && $0.phase == .succeeded } ?? false
        }
        #expect(finished)
        #expect(try await Self.leaderPID(database.url) == standby.pid)
        let state = try await store.load(environment: "staging")
        #expect(state.rollout?.id == rolloutID)
        #expect(state.knownGood?.revision == revision)
        let manifest = sandbox.manifest
        #expect(sandbox.railwayDeploys(of: manifest.railway.services.api.serviceId, revision: revision) == 1)
        #expect(sandbox.railwayDeploys(of: manifest.railway.services.worker.serviceId, revision: revision) == 1)
        #expect(sandbox.vercelCreates(revision: revision) == 1)
        #expect(await standby.terminate() == 0)
        await store.close()
    }

    /// The process id in the leadership record's holder (`host/pid/instance`) of a live leader.
    static func leaderPID(_ url: String) async throws -> Int32? {
        var holder: String?
        _ = await eventually(within: .seconds(30)) {
            holder = try? await ChildProcess.output([
                "psql", "-X", "-q", "-A", "-t", "-d", url, "-c",
                "SELECT holder FROM reconciler_leadership WHERE environment = 'staging'",
            ]).trimmingCharacters(in: .whitespacesAndNewlines)
            return holder?.isEmpty == false
        }
        guard let parts = holder?.split(separator: "/"), parts.count >= 2 else { return nil }
        return Int32(parts[1])
    }
}
