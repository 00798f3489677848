import ClipnetConfig
import ClipnetContracts
import Deployers
import KnownGoodStore

/// The frontend at R; once it is ready, the domain is pointed at it.
struct DeployFrontendPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let vercel = environment.platforms.vercel
        let domain = environment.manifest.frontend.domain
        var record = rollout
        let ready: ObservedDeployment
        do {
            if record.deployments.frontend == nil {
                let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: record.revision, rolloutID: record.id))
                record = try await environment.commit(.deploymentCreated(.frontend, id.rawValue), record)
                environment.note("deploy", "frontend", "deployment \(id) of \(CommitID.short(record.revision))")
            }
            let id = DeploymentID(record.deployments.frontend ?? "")
            let deployment = try await vercel.deployment(id, of: .frontend)
            if deployment.status.isTerminal && !deployment.status.isSuccess {
                await environment.captureFailureLog(record, deployment)
                return .event(.failed(reason: "the frontend deployment \(id) of \(CommitID.short(record.revision)) ended \(deployment.rawStatus)"))
            }
            guard deployment.status.isSuccess else {
                let timeout = Duration.seconds(environment.manifest.rollout.deployTimeoutSeconds)
                if record.timeInPhase(now: environment.now) > timeout {
                    await environment.cancelUnfinished(record)
                    return .event(
                        .failed(reason: "the frontend deployment \(id) did not finish within \(timeout) (\(deployment.rawStatus)); cancelled"))
                }
                return .wait(environment.settings.rolloutPollInterval, "waiting for the frontend build: \(deployment.rawStatus)")
            }
            ready = deployment
            _ = try await vercel.repoint(.frontend, to: id, reapplying: [])
            environment.note("alias", "frontend", "\(domain) now points at \(id)")
        } catch {
            return try environment.classify(error, during: "deploying the frontend")
        }
        return .event(.frontendAliased(platformSteps: await environment.platformSteps([ready])))
    }
}
