import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// Platforms that answer 5xx or not at all: calls are retried with backoff, a rollout fails after
/// its limit and is reported, a rollback keeps trying until the platform is back.
@Suite(.serialized) struct PlatformFaultScenarioTests {
    @Test func anUnreachableRailwayFailsTheRolloutAfterRetriesAndTheRollbackFinishesWhenItIsBack() async throws {
        try await Scenario.with { world in
            let good = try world.commit("Good")
            try await world.settle()
            let next = try world.commit("Next")
            await world.daemon.fetch()
            // The rollout starts, then Railway answers 503 to everything
            for _ in 0..<20 where try await world.record().rollout?.isActive != true {
                _ = await world.daemon.runPass([.newHead])
            }
            #expect(try await world.record().rollout?.revision == next)
            #expect(try await world.record().rollout?.isActive == true)
            world.sandbox.railwayServer.host.faults.inject(.serverError(status: 503), count: 100_000, matching: nil)
            var reports: [PassReport] = []
            for _ in 0..<40 {
                let report = await world.daemon.runPass([.timer])
                reports.append(report)
                if try await world.record().rollout?.phase == .rollingBack { break }
            }
            let record = try await world.record()
            #expect(record.rollout?.phase == .rollingBack)
            #expect(record.failure(for: next)?.reason.contains("times in a row") == true)
            #expect(reports.contains { $0.result == .failed }, "transient failures are reported as such")
            // Still unreachable: the rollback is retried, the environment stays on the failed rollout's phase
            let stuck = await world.daemon.runPass([.timer])
            #expect(stuck.result == .failed)
            #expect(try await world.record().rollout?.phase == .rollingBack)
            // Railway is back: the rollback completes
            world.sandbox.railwayServer.host.faults.clear()
            try await world.settle()
            #expect(try await world.record().rollout?.phase == .rolledBack)
            #expect(world.apiRevision == good)
        }
    }

    @Test func anUnreachablePlatformBeforeARolloutStartsFailsPassesAndChangesNothing() async throws {
        try await Scenario.with { world in
            let good = try world.commit("Good")
            try await world.settle()
            try world.commit("Next")
            await world.daemon.fetch()
            world.sandbox.vercelServer.host.faults.inject(.serverError(status: 502), count: 100_000, matching: nil)
            for _ in 0..<3 {
                let report = await world.daemon.runPass([.timer])
                #expect(report.result == .failed)
                #expect(report.reason == .platformUnavailable)
            }
            #expect(try await world.record().rollout?.revision == good, "no rollout starts blind")
            #expect(world.state()?.lastReconcile?.result == "failed")
            world.sandbox.vercelServer.host.faults.clear()
            try await world.settle()
            #expect(world.apiRevision != good)
        }
    }

    @Test func rateLimitsAreWaitedOutWithoutFailingTheRollout() async throws {
        try await Scenario.with { world in
            let revision = try world.commit("First")
            world.sandbox.railwayServer.host.faults.inject(.rateLimit(retryAfter: "1"), count: 3, matching: nil)
            world.sandbox.vercelServer.host.faults.inject(.rateLimit(retryAfter: "1"), count: 2, matching: nil)
            try await world.settle()
            #expect(world.apiRevision == revision)
            #expect(try await world.record().knownGood?.revision == revision)
            #expect(world.sandbox.railwayServer.host.log.all.contains { $0.status == 429 })
        }
    }
}
