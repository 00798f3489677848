import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// Living within the platforms' request budgets and retention: idle drift checks that read only
/// the cheap signals, and rollbacks to records whose deployments the platforms no longer keep.
@Suite struct PlatformBudgetScenarioTests {
    @Test func anIdleDriftCheckSendsOneRailwayRequestWhenNothingChanged() async throws {
        // Without simulated heartbeats: under load one can expire between two checks, which is
        // a real change (and then rightly a full observation), not what this test is about.
        try await Scenario.with(heartbeats: false) { world in
            try world.commit("First")
            try await world.settle()
            let log = world.sandbox.railwayServer.host.log
            log.clear()
            for _ in 0..<5 { _ = await world.daemon.runPass([.timer]) }
            let operations = log.all.map { $0.operation ?? "?" }
            #expect(operations == Array(repeating: "environment", count: 5), "one configEtag read per drift check, got \(operations)")
        }
    }

    @Test func aVariableChangedByHandIsSeenAndHealedAtTheNextDriftCheck() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            _ = await world.daemon.runPass([.timer])
            let manifest = world.sandbox.manifest
            let worker = manifest.railway.services.worker.serviceId
            world.sandbox.railway.setVariables(["WORKER_CONCURRENCY": "64"], serviceId: worker, environmentId: manifest.railway.environmentId)
            let log = world.sandbox.railwayServer.host.log
            log.clear()
            _ = await world.daemon.runPass([.timer])
            #expect(log.all.count > 1, "the changed configuration token leads to a full observation")
            #expect(world.sandbox.railway.variables(serviceId: worker, environmentId: manifest.railway.environmentId)["WORKER_CONCURRENCY"] == "4")
        }
    }

    @Test func aFrontendAliasMovedByHandIsSeenWithoutAFullObservationFirst() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let oldFrontend = try #require(world.sandbox.vercel.aliasTarget("staging.clipnet.ai"))
            try world.commit("Second")
            try await world.settle()
            _ = await world.daemon.runPass([.timer])
            world.sandbox.vercel.repointAlias("staging.clipnet.ai", to: oldFrontend)
            try await world.settle()
            #expect(world.sandbox.vercel.aliasTarget("staging.clipnet.ai") != oldFrontend, "the alias drift was healed")
        }
    }

    @Test func statusShowsTheRequestsOfTheLastHourAgainstRailwaysBudget() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let requests = try #require(world.state()?.platformRequests)
            let railway = try #require(requests.first { $0.platform == "railway" })
            #expect(railway.budgetPerHour == 1_000, "Hobby's budget is the default")
            #expect(railway.lastHour > 0)
            #expect(requests.first { $0.platform == "vercel" }?.budgetPerHour == nil)
        }
    }

    @Test func aRollbackToARecordWhoseDeploymentExpiredRebuildsItsCommit() async throws {
        try await Scenario.with { world in
            let first = try world.commit("First")
            try await world.settle()
            let firstFrontend = try #require(try await world.record().knownGood?.deployments.frontend)
            try world.commit("Second")
            try await world.settle()
            #expect(world.sandbox.vercel.expireDeployment(firstFrontend))
            let builds = (world.railwayDeployCalls, world.vercelCreateCalls, world.railwayRollbackCalls)
            let target = try await world.daemon.rollback(to: nil, reason: "checkout broken", by: "erin")
            #expect(target.revision == first)
            try await world.settle()
            #expect(world.frontendRevision == first)
            #expect(world.apiRevision == first)
            #expect(world.vercelCreateCalls == builds.1 + 1, "the expired frontend is built again")
            #expect(world.railwayDeployCalls > builds.0)
            #expect(world.railwayRollbackCalls == builds.2, "no re-point the platform would refuse")
            let record = try await world.record()
            #expect(record.knownGood?.revision == first)
            #expect(record.knownGood?.deployments.frontend != firstFrontend, "the record names the new build")
        }
    }

    @Test func aRailwayRollbackRecordsTheDeploymentItCreatedSoTheRecordDoesNotAgeOut() async throws {
        try await Scenario.with { world in
            let first = try world.commit("First")
            try await world.settle()
            let original = try #require(try await world.record().knownGood?.deployments)
            try world.commit("Second")
            try await world.settle()
            _ = try await world.daemon.rollback(to: nil, reason: "slow checkout", by: "erin")
            try await world.settle()
            #expect(world.railwayRollbackCalls == 2)
            let record = try #require(try await world.record().knownGood)
            #expect(record.revision == first)
            #expect(record.deployments.api != original.api, "the api record names the deployment Railway's rollback created")
            #expect(record.deployments.worker != original.worker)
            #expect(record.deployments.frontend == original.frontend, "Vercel re-points without a new deployment")
        }
    }

    @Test func withExpiredRollbackStallTheRollbackStopsWithAClearReason() async throws {
        try await Scenario.with(configure: {
            $0.replacingOccurrences(of: "  leaderCheckInterval: 300ms", with: "  leaderCheckInterval: 300ms\n  expiredRollback: stall")
        }) { world in
            try world.commit("First")
            try await world.settle()
            let firstFrontend = try #require(try await world.record().knownGood?.deployments.frontend)
            try world.commit("Second")
            try await world.settle()
            #expect(world.sandbox.vercel.expireDeployment(firstFrontend))
            let builds = (world.railwayDeployCalls, world.vercelCreateCalls)
            _ = try await world.daemon.rollback(to: nil, reason: "checkout broken", by: "erin")
            let report = try await world.settle()
            #expect(report.result == .stalled)
            #expect(report.reason == .rollbackExpired)
            #expect(report.message?.contains("no longer rollback-ready") == true)
            #expect(world.railwayDeployCalls == builds.0 && world.vercelCreateCalls == builds.1, "nothing built or re-pointed")
        }
    }

    @Test func statusListsTheRollbackTargetsWithTheirReadiness() async throws {
        try await Scenario.with(configure: {
            $0.replacingOccurrences(of: "  leaderCheckInterval: 300ms", with: "  leaderCheckInterval: 300ms\n  readinessInterval: 1s")
        }) { world in
            let first = try world.commit("First")
            try await world.settle()
            let firstFrontend = try #require(try await world.record().knownGood?.deployments.frontend)
            try world.commit("Second")
            try await world.settle()
            _ = await world.daemon.runPass([.timer])
            let ready = try #require(world.state()?.rollbackReadiness?.first)
            #expect(ready.revision == first)
            #expect(ready.state == "ready")
            #expect(world.sandbox.vercel.expireDeployment(firstFrontend))
            try await Task.sleep(for: .seconds(1.1))
            _ = await world.daemon.runPass([.timer])
            let expired = try #require(world.state()?.rollbackReadiness?.first)
            #expect(expired.state == "expired")
            #expect(expired.detail.contains("frontend"))
            #expect(try await world.daemon.history(limit: 5).isEmpty == false)
        }
    }
}

/// A platform's refusal is reported once, naming the platform, without repeating the phase.
@Suite struct RefusalWordingTests {
    @Test func aCommitThePlatformsDoNotKnowFailsNamingWhoRefused() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            // Committed but never pushed: neither platform knows the commit.
            let unknown = try world.sandbox.repository.commit("Not pushed", files: [:])
            try await world.settle()
            let failure = try #require(try await world.record().failure(for: unknown))
            #expect(failure.reason.hasPrefix("Railway refused: "), "\(failure.reason)")
            #expect(!failure.reason.contains("deploying the API"), "the phase says what was being done: \(failure.reason)")
            #expect(failure.phase == .deployBackend)
        }
    }
}
