import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import Testing

/// Beside its own phases, a rollout keeps the platforms' timing of its deployments (Railway's
/// deployment events, Vercel's queue and build), so the time the controller added shows next
/// to the platforms'.
@Suite struct PlatformStepsScenarioTests {
    @Test func aRolloutKeepsThePlatformsOwnStepsBesideItsPhases() async throws {
        try await Scenario.with { world in
            let revision = try world.commit("Timed")
            try await world.settle()
            let rollout = try #require(world.state()?.rollout)
            #expect(rollout.revision == revision && rollout.phase == "succeeded")
            let steps = try #require(rollout.platformSteps)
            for service in ServiceName.backend {
                #expect(
                    steps.filter { $0.service == service }.map(\.step) == ["SNAPSHOT_CODE", "BUILD_IMAGE", "CREATE_CONTAINER", "HEALTHCHECK"],
                    "\(service): \(steps)")
            }
            #expect(steps.filter { $0.service == .frontend }.map(\.step) == ["QUEUED", "BUILDING"], "\(steps)")
            #expect(steps.allSatisfy { $0.endedAt != nil && $0.seconds! >= 0 }, "every step was finished when it was read")

            // Each phase that waited on a platform ended after the platform finished: what the
            // controller added is the difference, never negative.
            let timeline = try #require(rollout.timeline)
            let backendEnd = try #require(timeline.first { $0.phase == .deployBackend }?.endedAt)
            let frontendEnd = try #require(timeline.first { $0.phase == .deployFrontend }?.endedAt)
            #expect(try #require(steps.filter { $0.service != .frontend }.finishedAt) <= backendEnd)
            #expect(try #require(steps.filter { $0.service == .frontend }.finishedAt) <= frontendEnd)
            let added = try #require(timeline.controllerAdded(steps))
            #expect(added >= 0)

            // Kept with the history entry that ended the rollout, for `history --rollout`.
            let ended = try await world.daemon.history(limit: 10).first { $0.rolloutID == rollout.id && $0.kind == .knownGood }
            #expect(ended?.platformSteps == steps)
        }
    }
}
