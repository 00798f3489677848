import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import Reconciler
import RolloutSimulation
import Testing

/// The sequences a review found wrong deploys in, each pinned down over the simulated staging
/// (the real machine and pass logic, in-memory platforms, a virtual clock).
@Suite struct RolloutDefectTests {
    /// R0 and R1 known-good and live at R1; R2 in flight.
    private func inFlightOfR2() async throws -> (World, String, String, String) {
        let world = try World()
        let r0 = await world.commit()
        await world.settle()
        let r1 = await world.commit()
        await world.settle()
        let r2 = await world.commit()
        await world.pass()
        #expect(world.state.rollout?.revision == r2)
        #expect(world.state.rollout?.isActive == true)
        return (world, r0, r1, r2)
    }

    @Test func aRollbackDuringARolloutReturnsToTheLiveKnownGoodAndHoldsTheNewRevisionBack() async throws {
        let (world, _, r1, r2) = try await inFlightOfR2()
        let target = try await world.operators.rollback(reason: "checkout broke", by: "alice")
        #expect(target.revision == r1)
        #expect(world.state.failure(for: r1) == nil)
        #expect(world.state.failure(for: r2) != nil)
        await world.settle()
        #expect(world.serving(.api) == r1)
        #expect(world.serving(.frontend) == r1)
        try await world.operators.unpin(by: "alice")
        await world.settle()
        #expect(world.serving(.api) == r1, "the revision rolled back from stays held back after unpin")
        #expect(world.state.rollout?.revision != r2 || world.state.rollout?.isActive == false)
    }

    @Test func aRollbackAfterAFailedAutomaticRollbackReturnsToTheLiveKnownGood() async throws {
        let world = try World()
        await world.commit()
        await world.settle()
        let r1 = await world.commit()
        await world.settle()
        let r2 = await world.commit(.healthFails)
        // The automatic rollback's first request is refused: the rollback fails, a person must act.
        world.simulation.world.inject(SimFault(kind: .serverError, operation: "repoint", service: .api))
        await world.passUntil { $0.rollout?.phase == .rollingBack }
        world.simulation.world.inject(SimFault(kind: .rateLimited, operation: "observe", service: .api))
        for _ in 0..<6 { world.simulation.world.inject(SimFault(kind: .serverError, operation: "repoint", service: .api)) }
        await world.passUntil { $0.rollout?.isActive == false }
        #expect(world.state.rollout?.phase == .failed)
        let target = try await world.operators.rollback(reason: "back to what worked", by: "bob")
        #expect(target.revision == r1, "not the record before the current known-good")
        #expect(world.state.failure(for: r1) == nil, "the good revision is not marked failed")
        #expect(world.state.failure(for: r2) != nil)
    }

    @Test func aPlanChangesNeitherTheStoreNorThePlatformsWhileReadsFail() async throws {
        let (world, _, _, _) = try await inFlightOfR2()
        let before = world.state
        let mutations = world.simulation.world.mutationCount
        for _ in 0..<8 {
            world.simulation.world.inject(SimFault(kind: .serverError, operation: "observe", service: .api))
            let plan = await world.simulation.plan()
            #expect(plan.actions.contains { $0.detail.contains("could not be observed") })
        }
        #expect(world.state == before)
        #expect(world.simulation.world.mutationCount == mutations)
    }

    @Test func aLeaderDeposedInTheMiddleOfAPassSendsNoFurtherChange() async throws {
        let world = try World()
        await world.commit()
        // Another replica takes the lease just as this one is about to send its first change.
        world.simulation.store.takeOverAtNextProof()
        let report = await world.pass()
        #expect(report.result == .stalled)
        #expect(report.reason == .notLeader)
        #expect(world.simulation.world.violations.isEmpty, "\(world.simulation.world.violations)")
        #expect(world.simulation.world.mutations.allSatisfy { $0.callerEpoch == $0.storeEpoch })
        #expect(world.simulation.world.mutations.isEmpty, "the change it was about to send was not sent")
    }

    @Test func onlyConsecutiveFailedPassesCountTowardTheTransientLimit() async throws {
        let world = try World()
        await world.commit()
        await world.pass()
        #expect(world.state.rollout?.phase == .deployBackend)
        // Eight 5xx blips during the build, each followed by a pass that reads fine.
        for _ in 0..<8 {
            world.simulation.world.inject(SimFault(kind: .serverError, operation: "deployment", service: .api))
            await world.pass()
            await world.pass()
            await world.tick(5)
        }
        #expect(world.state.rollout?.phase != .failed)
        #expect(world.state.failedRevisions.isEmpty, "\(world.state.failedRevisions)")
        // Five in a row do fail it.
        for _ in 0..<5 {
            world.simulation.world.inject(SimFault(kind: .serverError, operation: "deployment", service: .api))
            await world.pass()
        }
        #expect(world.state.failedRevisions.count == 1)
    }

    @Test func anExplicitRollbackTargetThatWasMarkedFailedIsClearedAndServed() async throws {
        let world = try World()
        let r0 = await world.commit()
        await world.settle()
        await world.commit()
        await world.settle()
        // Roll back from the live revision: r0 is served, the revision left is marked failed.
        let first = try await world.operators.rollback(reason: "bad", by: "carol")
        #expect(first.revision == r0)
        await world.settle()
        try await world.operators.unpin(by: "carol")
        let r2 = await world.commit()
        await world.settle()
        #expect(world.serving(.api) == r2)
        // r1 is known-good but marked failed: an explicit rollback to it is honoured.
        let r1 = try #require(world.state.allKnownGood.first { world.state.failure(for: $0.revision) != nil }?.revision)
        let target = try await world.operators.rollback(to: r1, reason: "r1 was fine after all", by: "carol")
        #expect(target.revision == r1)
        #expect(world.state.failure(for: r1) == nil)
        await world.settle()
        #expect(world.serving(.api) == r1)
        #expect(world.serving(.worker) == r1)
        #expect(world.serving(.frontend) == r1)
    }

    @Test func aRollbackToTheRevisionAlreadyServedIsRefusedNotSilentlyIgnored() async throws {
        let world = try World()
        await world.commit()
        await world.settle()
        let r1 = await world.commit()
        await world.settle()
        await #expect(throws: OperatorError.self) { try await world.operators.rollback(to: r1, reason: "noop", by: "dan") }
        #expect(world.state.failure(for: r1) == nil)
        #expect(world.state.pin == nil)
    }

    @Test func anUnmanagedExtraVariableIsReportedNotRewrittenEveryPass() async throws {
        let world = try World()
        await world.commit()
        await world.settle()
        world.simulation.world.setExtraVariable("DEBUG_BY_HAND", on: .api)
        let history = world.history.count
        let writes = world.mutations("upsertVariables")
        for _ in 0..<20 {
            await world.tick(60)
            await world.pass()
        }
        #expect(world.history.count == history, "\(world.history.suffix(3))")
        #expect(world.mutations("upsertVariables") == writes)
    }

    @Test func aRailwayRollbackInProgressIsWaitedOnAfterARestartNotRequestedAgain() async throws {
        let world = try World()
        await world.commit()
        await world.settle()
        await world.commit(.healthFails)
        await world.passUntil { $0.rollout?.repointDeployments?.api != nil }
        let rollbacks = world.mutations("repoint")
        #expect(world.state.rollout?.phase == .rollingBack)
        await world.simulation.perform(.restart)
        await world.pass()
        await world.pass()
        #expect(world.mutations("repoint") == rollbacks, "no second rollback request for a service already being rolled back")
        await world.settle()
        #expect(world.state.rollout?.phase == .rolledBack)
    }

    @Test func aHealthWindowMustBeObservedNotMerelyElapsed() async throws {
        let world = try World()
        await world.commit()
        await world.passUntil { $0.rollout?.phase == .healthGate }
        // The daemon is down far longer than the window, then comes back.
        await world.tick(3600)
        await world.simulation.perform(.restart)
        await world.pass()
        #expect(world.state.rollout?.phase == .healthGate, "one check after the window elapsed is not a watched window")
        #expect(world.state.knownGood == nil)
        await world.settle()
        #expect(world.state.knownGood != nil)
    }

    @Test func aRollbackIsOnlyCalledDoneOnceTheServicesReportItsRevision() async throws {
        let world = try World()
        let r0 = await world.commit()
        await world.settle()
        await world.commit(.healthFails)
        // The API's version endpoint keeps reporting the failed revision (a stuck proxy).
        let failed = world.simulation.repository.head!.hex
        await world.passUntil { $0.rollout?.phase == .rollingBack }
        world.simulation.world.pinVersionReport(failed)
        await world.passUntil(limit: 100) { $0.rollout?.isActive == false }
        #expect(world.state.rollout?.phase == .failed)
        #expect(world.state.rollout?.error?.contains("not confirmed") == true)
        #expect(!world.history.contains { $0.kind == .rolledBack && $0.revision == r0 })
    }

    @Test func aWorkerHeartbeatOfTheOldDeploymentDoesNotVerifyTheNewOne() {
        let revision = String(repeating: "a", count: 40)
        let old = String(repeating: "b", count: 40)
        // Named deployments: the new deployment's own workers decide.
        let named = WorkerFleet(
            workers: [
                WorkerSighting(id: "w1", version: revision, startedAt: "2026-12-07T10:00:00Z", deploymentId: "dep_old"),
                WorkerSighting(id: "w2", version: old, startedAt: "2026-12-07T10:05:00Z", deploymentId: "dep_new"),
            ], queueDepth: 0, deadJobs: 0)
        #expect(WorkerVerification.judge(named, revision: revision, deployments: ["dep_new"]).verified == false)
        let draining = WorkerFleet(
            workers: [
                WorkerSighting(id: "w1", version: old, startedAt: "2026-12-07T10:00:00Z"),
                WorkerSighting(id: "w2", version: revision, startedAt: "2026-12-07T10:05:00Z"),
            ], queueDepth: 0, deadJobs: 0)
        #expect(WorkerVerification.judge(draining, revision: revision, deployments: ["dep_new"]).verified)
        let skew = WorkerFleet(
            workers: [
                WorkerSighting(id: "w1", version: revision, startedAt: "2026-12-07T10:00:00Z"),
                WorkerSighting(id: "w2", version: old, startedAt: "2026-12-07T10:05:00Z"),
            ], queueDepth: 0, deadJobs: 0)
        #expect(WorkerVerification.judge(skew, revision: revision, deployments: ["dep_new"]).verified == false)
    }

    @Test func aStartDecidedBeforeAPinChangedIsRefusedAsStale() throws {
        var state = EnvironmentState()
        state.pin = PinRecord(revision: String(repeating: "c", count: 40), reason: "hold", by: "erin", at: Date())
        let start = RolloutStart(
            id: "ro-1", revision: String(repeating: "d", count: 40), mode: .build, deployments: ServiceDeployments(), rollbackTarget: nil,
            trigger: .push, pinAtDecision: nil, source: "branch develop")
        #expect(throws: RolloutMachineError.self) { try RolloutMachine.apply(.start(start), to: &state, expecting: nil, now: Date()) }
        #expect(state.rollout == nil)
    }
}
