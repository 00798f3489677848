import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import Reconciler
import RolloutSimulation
import Testing

/// The frontend's build starts beside the backend's where a finished build stays off the domain,
/// and the alias still moves only after the backend is verified.
@Suite struct FrontendBesideBackendTests {
    /// A world at a known-good R0, and R1 just committed.
    private func atR0(staged: Bool) async throws -> (World, String) {
        let world = try World(frontendBuildsStayOffDomains: staged)
        let r0 = await world.commit()
        await world.settle()
        #expect(world.serving(.frontend) == r0)
        return (world, r0)
    }

    @Test func theFrontendBuildStartsWithTheBackendsOnlyWhereItStaysOffTheDomain() async throws {
        for staged in [true, false] {
            let (world, r0) = try await atR0(staged: staged)
            let r1 = await world.commit()
            await world.pass()
            #expect(world.state.rollout?.phase == .deployBackend)
            #expect((world.state.rollout?.deployments.frontend != nil) == staged, "staged: \(staged)")
            #expect(world.builds(.frontend, of: r1).count == (staged ? 1 : 0))
            #expect(world.serving(.frontend) == r0, "a build beside the backend does not go live")
            await world.settle()
            #expect(world.serving(.frontend) == r1 && world.serving(.api) == r1 && world.serving(.worker) == r1)
            #expect(world.builds(.frontend, of: r1).count == 1)
            #expect(world.simulation.checkNow().isEmpty, "\(world.simulation.checkNow())")
        }
    }

    @Test func aFrontendBuildThatFailsBesideTheBackendFailsTheRolloutAndCancelsTheBackendBuilds() async throws {
        let (world, r0) = try await atR0(staged: true)
        world.simulation.world.inject(SimFault(kind: .hang, operation: "deploy", service: .api))
        let r1 = await world.commit(.frontendBuildFails)
        await world.pass()
        await world.passUntil { $0.rollout?.phase != .deployBackend }
        #expect(world.state.failure(for: r1)?.reason.contains("frontend deployment") == true)
        #expect(world.builds(.api, of: r1).first?.status == .canceled, "the API's build still running is cancelled")
        await world.settle()
        #expect(world.serving(.api) == r0 && world.serving(.frontend) == r0)
        #expect(world.simulation.checkNow().isEmpty, "\(world.simulation.checkNow())")
    }

    @Test func aBackendBuildThatFailsCancelsTheFrontendBuildBesideIt() async throws {
        let (world, r0) = try await atR0(staged: true)
        world.simulation.world.inject(SimFault(kind: .hang, operation: "deploy", service: .frontend))
        let r1 = await world.commit(.buildFails)
        await world.pass()
        #expect(world.builds(.frontend, of: r1).count == 1)
        await world.passUntil { $0.rollout?.phase != .deployBackend }
        #expect(world.state.failure(for: r1)?.reason.contains("api deployment") == true)
        #expect(world.builds(.frontend, of: r1).first?.status == .canceled)
        await world.settle()
        #expect(world.serving(.frontend) == r0)
        #expect(world.simulation.checkNow().isEmpty, "\(world.simulation.checkNow())")
    }

    @Test func aDaemonRestartedWhileTheBuildsRunStartsNoSecondFrontendBuild() async throws {
        let (world, _) = try await atR0(staged: true)
        let r1 = await world.commit()
        await world.pass()
        let first = try #require(world.state.rollout?.deployments.frontend)
        await world.tick(30)
        await world.simulation.perform(.restart)
        await world.settle()
        #expect(world.builds(.frontend, of: r1).map(\.id) == [first], "the restarted daemon waited on the recorded build")
        #expect(world.serving(.frontend) == r1)
        #expect(world.simulation.checkNow().isEmpty, "\(world.simulation.checkNow())")
    }

    @Test func theCheckerCatchesAFrontendThatGoesLiveBeforeTheBackend() async throws {
        let (world, _) = try await atR0(staged: true)
        world.simulation.world.inject(SimFault(kind: .hang, operation: "deploy", service: .api))
        let r1 = await world.commit()
        await world.pass()
        await world.tick(120)
        // What a daemon that aliased too early would do: the frontend's build is READY, the API's
        // still runs.
        let build = try #require(world.builds(.frontend, of: r1).first)
        try await world.simulation.aliasFrontend(to: build.id)
        #expect(world.simulation.checkNow().contains { $0.invariant == "the frontend goes live only after the backend" })
    }
}
