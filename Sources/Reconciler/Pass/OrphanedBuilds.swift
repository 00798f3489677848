import ClipnetContracts
import Deployers
import KnownGoodStore

/// Builds of failed or superseded rollouts whose cancel failed: each pass of the leader tries
/// again, until the platform says the build was cancelled or has ended on its own.
enum OrphanedBuilds {
    /// Whether `id` no longer builds: it has ended, or the cancel was accepted.
    static func cancel(_ service: ServiceName, _ id: String, platforms: Platforms) async -> Bool {
        let deployer = platforms.deployer(for: service)
        do {
            let current = try await deployer.deployment(DeploymentID(id), of: service)
            if current.status.isTerminal { return true }
            let after = try await deployer.cancel(DeploymentID(id), of: service)
            return after.status.isTerminal
        } catch let error as DeployerError where error.code == .notFound {
            return true
        } catch {
            return false
        }
    }

    /// Tries every orphaned build of `state` again and commits the ones that are done with.
    static func retry(_ state: EnvironmentState, platforms: Platforms, store: any StateStore, environment: String) async throws -> EnvironmentState {
        guard let orphans = state.orphanedBuilds, !orphans.isEmpty else { return state }
        var settled: Set<String> = []
        for build in orphans {
            guard let service = ServiceName(rawValue: build.service) else {
                settled.insert(build.deployment)
                continue
            }
            if await cancel(service, build.deployment, platforms: platforms) { settled.insert(build.deployment) }
        }
        guard !settled.isEmpty else { return state }
        let done = settled
        return try await StoreAccess.update(store, environment) { state in
            let left = (state.orphanedBuilds ?? []).filter { !done.contains($0.deployment) }
            state.orphanedBuilds = left.isEmpty ? nil : left
            return []
        }
    }
}
