import Deployers
import Foundation

/// Rollout step 3: the API and the worker at R, with the same version tag, then wait until both
/// succeed. Each deployment id is persisted the moment the platform returns it, so a daemon killed
/// here never deploys that service again for this rollout; a kill between the call and the write
/// is covered by the deployers finding their own deployment (rollout id or revision).
struct DeployBackendStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "deployBackend" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .deployBackend,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        let services: [ServiceName] = [.api, .worker]
        var observed: [ServiceName: ObservedDeployment] = [:]
        do {
            for service in services where context.activeRollout?.deployments[service] == nil {
                let id = try await platforms.railway.deploy(DeployRequest(service: service, revision: rollout.revision, rolloutID: rollout.id))
                try await progress.update(&context) { record, _ in record.deployments[service] = id.rawValue }
                context.did("deploy", service.rawValue, "deployment \(id) of \(short(rollout.revision))")
                dependencies.logger.info("Deployment started", metadata: [
                    "rollout.id": "\(rollout.id)", "revision": "\(rollout.revision)", "service": "\(service)", "deployment": "\(id)",
                ])
            }
            for service in services {
                guard let id = context.activeRollout?.deployments[service] else { continue }
                observed[service] = try await platforms.railway.deployment(DeploymentID(id), of: service)
            }
        } catch {
            return try await progress.handle(error, &context, during: "deploying the API and the worker")
        }
        if let (service, failed) = observed.first(where: { $0.value.status.isTerminal && !$0.value.status.isSuccess }) {
            return try await progress.fail(&context, reason: "the \(service) deployment \(failed.id) of \(short(rollout.revision)) ended \(failed.rawStatus)")
        }
        if services.allSatisfy({ observed[$0]?.status.isSuccess == true }) {
            try await progress.advance(&context, to: .verifyBackend)
            return .proceed
        }
        let waiting = services.map { "\($0) \(observed[$0]?.rawStatus ?? "?")" }.joined(separator: ", ")
        let timeout = Duration.seconds(preflight.resolved.manifest.rollout.deployTimeoutSeconds)
        if rollout.timeInPhase > timeout {
            await progress.cancelUnfinished(context.activeRollout ?? rollout, platforms)
            return try await progress.fail(&context, reason: "the API and worker deployments did not finish within \(timeout) (\(waiting)); cancelled")
        }
        return .requeue(after: dependencies.settings.rolloutPollInterval, reason: "waiting for the builds: \(waiting)")
    }
}
