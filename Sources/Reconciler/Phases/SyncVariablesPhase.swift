import ClipnetContracts
import Deployers
import KnownGoodStore

/// The manifest's variables (and the version tag) onto all three services, without deploying
/// anything (Railway `skipDeploys`; Vercel variables apply to new builds only).
struct SyncVariablesPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        do {
            for service in [ServiceName.frontend, .api, .worker] {
                let variables = DesiredVariables.of(service, preflight: environment.preflight, revision: rollout.revision)
                try await environment.platforms.deployer(for: service).upsertVariables(variables, for: service)
                environment.note("syncVariables", service.rawValue, "\(variables.count) variable(s) upserted without deploying")
            }
        } catch {
            return try environment.classify(error, during: "syncing variables")
        }
        return .event(.variablesSynced)
    }
}
