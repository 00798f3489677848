import Deployers

/// Rollout step 2: the manifest's variables (and the version tag) onto all three services,
/// without deploying anything (Railway `skipDeploys`; Vercel env applies to new builds only).
struct SyncVariablesStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "syncVariables" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .syncVariables,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        do {
            for service in [ServiceName.frontend, .api, .worker] {
                let variables = DesiredVariables.of(service, preflight: preflight, revision: rollout.revision)
                try await platforms.deployer(for: service).upsertVariables(variables, for: service)
                context.did("syncVariables", service.rawValue, "\(variables.count) variable(s) upserted without deploying")
            }
        } catch {
            return try await progress.handle(error, &context, during: "syncing variables")
        }
        try await progress.advance(&context, to: .deployBackend)
        return .proceed
    }
}
