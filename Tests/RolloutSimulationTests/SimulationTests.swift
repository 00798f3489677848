import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import RolloutSimulation
import Testing

/// The seeded simulation: random sequences of commits, operator actions, faults, restarts and
/// takeovers, against the written invariants. A violation prints its seed and a shortened
/// sequence that replays it.
@Suite struct SimulationTests {
    static var sequences: UInt64 {
        ProcessInfo.processInfo.environment["CLIPNET_SIM_SEQUENCES"].flatMap(UInt64.init) ?? 2_000
    }

    @Test func randomSequencesKeepEveryInvariant() async throws {
        let manifests = try SimManifests.load(deployDirectory: SimManifests.packageDeployDirectory)
        let summary = await Explorer.explore(seeds: 1..<(1 + Self.sequences), length: 40, manifests: manifests, parallelism: 2)
        #expect(summary.sequences == Int(Self.sequences))
        for failure in summary.failures { Issue.record("\(failure)") }
    }

    @Test func theCheckerCatchesABuildOfARevisionMarkedFailed() async throws {
        let manifests = try SimManifests.load(deployDirectory: SimManifests.packageDeployDirectory)
        let simulation = Simulation(manifests: manifests, heartbeatsNameDeployment: true)
        simulation.start()
        await simulation.perform(.commit(.good))
        let revision = simulation.repository.head!.hex
        _ = try await simulation.store.store(epoch: simulation.store.epoch).update(environment: "staging") { state in
            state.recordFailure(.init(revision: revision, at: Date(), reason: "test", phase: nil))
            return []
        }
        await simulation.leaderPass()
        // The pass holds it back; a build sent anyway is caught.
        #expect(simulation.checkNow().isEmpty)
        try await simulation.sendBuild(of: revision, service: .api)
        #expect(!simulation.checkNow().isEmpty)
    }
}
