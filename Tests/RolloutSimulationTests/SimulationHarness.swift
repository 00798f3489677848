import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import Reconciler
import RolloutSimulation

/// A simulated staging driven step by step: for tests that pin down one sequence.
struct World {
    let simulation: Simulation

    init(namedDeploymentHeartbeats: Bool = true, frontendBuildsStayOffDomains: Bool = false) throws {
        simulation = Simulation(
            manifests: try SimManifests.load(deployDirectory: SimManifests.packageDeployDirectory),
            heartbeatsNameDeployment: namedDeploymentHeartbeats, frontendBuildsStayOffDomains: frontendBuildsStayOffDomains)
        simulation.start()
    }

    var state: EnvironmentState { simulation.store.state }
    var history: [HistoryEntry] { simulation.store.history }
    var operators: OperatorActions { simulation.leaderOperators }

    @discardableResult
    func commit(_ fate: CommitFate = .good) async -> String {
        await simulation.perform(.commit(fate))
        return simulation.repository.head!.hex
    }

    @discardableResult
    func pass() async -> PassReport { await simulation.leaderPass() }

    func tick(_ seconds: Int) async { await simulation.perform(.tick(seconds: seconds)) }

    /// Passes with time between until no rollout is in flight (or `limit` passes).
    @discardableResult
    func settle(limit: Int = 400) async -> PassReport {
        var last = await pass()
        for _ in 0..<limit {
            if state.rollout?.isActive != true, last.result != .failed { return last }
            await tick(10)
            last = await pass()
        }
        return last
    }

    /// Passes until `condition` holds (or `limit` passes).
    func passUntil(limit: Int = 200, seconds: Int = 10, _ condition: (EnvironmentState) -> Bool) async {
        for _ in 0..<limit {
            if condition(state) { return }
            await tick(seconds)
            await pass()
        }
    }

    func serving(_ service: ClipnetContracts.ServiceName) -> String? { simulation.world.servingRevision(service) }

    /// The builds of `service` at `revision`, oldest first.
    func builds(_ service: ClipnetContracts.ServiceName, of revision: String) -> [SimWorld.Deployment] {
        simulation.world.deployments.filter { $0.service == service && $0.revision == revision && !$0.isRollback }
    }

    func mutations(_ operation: String) -> Int { simulation.world.mutations.filter { $0.operation == operation }.count }
}
