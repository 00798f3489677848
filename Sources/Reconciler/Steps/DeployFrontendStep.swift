import Deployers

/// Rollout step 5: the frontend at R, wait until it is ready, then point the domain at it.
struct DeployFrontendStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "deployFrontend" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .deployFrontend,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        let domain = preflight.resolved.manifest.frontend.domain
        do {
            if context.activeRollout?.deployments.frontend == nil {
                let id = try await platforms.vercel.deploy(DeployRequest(service: .frontend, revision: rollout.revision, rolloutID: rollout.id))
                try await progress.update(&context) { record, _ in record.deployments.frontend = id.rawValue }
                context.did("deploy", "frontend", "deployment \(id) of \(short(rollout.revision))")
            }
            let id = DeploymentID(context.activeRollout?.deployments.frontend ?? "")
            let deployment = try await platforms.vercel.deployment(id, of: .frontend)
            if deployment.status.isTerminal && !deployment.status.isSuccess {
                return try await progress.fail(&context, reason: "the frontend deployment \(id) of \(short(rollout.revision)) ended \(deployment.rawStatus)")
            }
            guard deployment.status.isSuccess else {
                let timeout = Duration.seconds(preflight.resolved.manifest.rollout.deployTimeoutSeconds)
                if rollout.timeInPhase > timeout {
                    await progress.cancelUnfinished(context.activeRollout ?? rollout, platforms)
                    return try await progress.fail(&context, reason: "the frontend deployment \(id) did not finish within \(timeout) (\(deployment.rawStatus)); cancelled")
                }
                return .requeue(after: dependencies.settings.rolloutPollInterval, reason: "waiting for the frontend build: \(deployment.rawStatus)")
            }
            _ = try await platforms.vercel.repoint(.frontend, to: id, reapplying: [])
            context.did("alias", "frontend", "\(domain) now points at \(id)")
        } catch {
            return try await progress.handle(error, &context, during: "deploying the frontend")
        }
        try await progress.advance(&context, to: .healthGate)
        return .proceed
    }
}
