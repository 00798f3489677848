import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// Someone changes staging behind the reconciler's back: each kind of drift is detected, and
/// healed or reported as the manifest's policy says (deploy/base.yaml).
@Suite(.serialized) struct DriftScenarioTests {
    @Test(arguments: [Scenario.Store.file, .postgres])
    func anAliasRepointedByHandIsDetectedAndHealed(store: Scenario.Store) async throws {
        try await Scenario.with(store: store) { world in
            let first = try world.commit("First")
            try await world.settle()
            let oldFrontend = try #require(try await world.record().knownGood?.deployments.frontend)
            let second = try world.commit("Second")
            try await world.settle()
            // Someone points staging.clipnet.ai at the old build in the Vercel dashboard
            world.sandbox.vercel.repointAlias("staging.clipnet.ai", to: oldFrontend)
            #expect(world.frontendRevision == first)
            try await world.settle()
            // The alias is back on the known-good deployment of the desired revision
            #expect(world.frontendRevision == second)
            let history = try await world.daemon.history(limit: 5)
            let healed = try #require(history.first { $0.kind == .driftHealed })
            #expect(healed.reason?.contains("alias") == true)
            #expect(world.state()?.drift.isEmpty == true, "\(world.state()?.drift ?? [])")
        }
    }

    @Test func aRailwayRollbackByHandIsHealedByRepointingNotRebuilding() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let oldAPI = try #require(try await world.record().knownGood?.deployments.api)
            let second = try world.commit("Second")
            try await world.settle()
            let builds = world.railwayDeployCalls
            #expect(world.sandbox.railway.rollbackByHand(to: oldAPI))
            try await Task.sleep(for: .milliseconds(300))
            #expect(world.apiRevision != second)
            try await world.settle()
            #expect(world.apiRevision == second)
            #expect(world.railwayDeployCalls == builds)
            let history = try await world.daemon.history(limit: 5)
            #expect(history.first { $0.kind == .driftHealed }?.reason?.contains("revision[api]") == true)
        }
    }

    @Test func variablesChangedByHandAreReappliedAndNeverShownInClear() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let manifest = world.sandbox.manifest
            world.sandbox.railway.setVariables(
                ["WORKER_CONCURRENCY": "64", "REDIS_URL": "redis://someone-elses-redis:6379/0"],
                serviceId: manifest.railway.services.worker.serviceId, environmentId: manifest.railway.environmentId)
            try await world.settle()
            let live = world.sandbox.railway.variables(
                serviceId: manifest.railway.services.worker.serviceId, environmentId: manifest.railway.environmentId)
            #expect(live["WORKER_CONCURRENCY"] == "4")
            #expect(live["REDIS_URL"] == world.sandbox.environment["STAGING_REDIS_URL"])
            let history = try await world.daemon.history(limit: 5)
            let healed = try #require(history.first { $0.kind == .driftHealed })
            #expect(healed.reason?.contains("changed REDIS_URL") == true)
            #expect(healed.reason?.contains("someone-elses-redis") == false, "values never reach history")
        }
    }

    @Test func theRailwayAutoDeployIsSwitchedOff() async throws {
        try await Scenario.with(railwayAutoDeploy: true) { world in
            try world.commit("First")
            try await world.settle()
            try await world.settle()
            let manifest = world.sandbox.manifest
            #expect(
                world.sandbox.railway.autoDeployEnabled(
                    serviceId: manifest.railway.services.api.serviceId, environmentId: manifest.railway.environmentId) == false)
            #expect(
                world.sandbox.railway.autoDeployEnabled(
                    serviceId: manifest.railway.services.worker.serviceId, environmentId: manifest.railway.environmentId) == false)
        }
    }

    @Test func anExtraWorkerServiceIsReportedNotHealed() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            world.sandbox.railway.addService(
                id: "5f0c9e9e-1111-4222-8333-944444444444", name: "worker-2", projectId: world.sandbox.manifest.railway.projectId,
                repo: "clipnet/clipnet", branch: "develop", autoDeploy: false)
            try await world.settle()
            let drift = try #require(world.state()).drift
            let item = try #require(drift.first { $0.kind == "topology" })
            #expect(item.service == "worker-2")
            #expect(item.policy == "report")
            #expect(try await world.daemon.history(limit: 5).contains { $0.kind == .driftHealed } == false)
        }
    }

    @Test func aLiveVariableNamingProductionIsReportedAsIsolationDrift() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let manifest = world.sandbox.manifest
            world.sandbox.railway.setVariables(
                ["UPSTREAM": "https://api.clipnet.ai/v1"], serviceId: manifest.railway.services.api.serviceId,
                environmentId: manifest.railway.environmentId)
            try await world.settle()
            let drift = try #require(world.state()).drift
            let isolation = try #require(drift.first { $0.kind == "isolation" })
            #expect(isolation.service == "api")
            #expect(isolation.detail.contains("UPSTREAM"))
            #expect(isolation.detail.contains("api.clipnet.ai") == false)
            #expect(drift.contains { $0.kind == "variables" && $0.detail == "extra UPSTREAM" })
        }
    }

    @Test func driftCausedByTheToolsOwnRolloutIsNeverReported() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            try world.commit("Second")
            await world.daemon.fetch()
            // Mid-rollout, every service differs from the new revision: that is the rollout.
            var sawRollout = false
            for _ in 0..<400 {
                _ = await world.daemon.runPass([.timer])
                let record = try await world.record()
                guard record.rollout?.isActive == true else {
                    if sawRollout { break }
                    continue
                }
                sawRollout = true
                let drift = world.state()?.drift ?? []
                #expect(drift.isEmpty, "\(drift) in \(record.rollout?.phase.rawValue ?? "-")")
                try await Task.sleep(for: .milliseconds(30))
            }
            #expect(sawRollout)
        }
    }
}
