import Reconciler
import Testing

/// Heartbeats of a replaced deployment are draining replicas, not version skew.
@Suite struct WorkerReplicasTests {
    static let fleet = WorkerFleet(
        workers: [
            WorkerSighting(id: "w-new-1", version: "r1", deploymentId: "dep-new"),
            WorkerSighting(id: "w-old-1", version: "r2", deploymentId: "dep-old"),
            WorkerSighting(id: "w-legacy", version: "r1"),
        ], queueDepth: 3, deadJobs: 0)

    @Test func onlyTheRunningDeploymentsReplicasCount() {
        let (current, draining) = Self.fleet.replicas(of: "dep-new")
        #expect(current.workers.map(\.id) == ["w-new-1", "w-legacy"], "a heartbeat naming no deployment stays")
        #expect(current.versions.map(\.version) == ["r1"], "one version: no skew")
        #expect(draining == 1)
        #expect(current.queueDepth == 3)
    }

    @Test func withoutAKnownDeploymentEveryHeartbeatCounts() {
        let (current, draining) = Self.fleet.replicas(of: nil)
        #expect(current == Self.fleet)
        #expect(draining == 0)
    }
}
