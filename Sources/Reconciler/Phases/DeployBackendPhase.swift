import ClipnetConfig
import ClipnetContracts
import Deployers
import KnownGoodStore
import Logging

/// The API and the worker at R with the same version tag, then wait until both serve. Each
/// deployment id is committed the moment the platform returns it, so a daemon killed here never
/// deploys that service again for this rollout; a kill between the call and the commit is covered
/// by the deployers finding their own deployment (rollout id or revision).
struct DeployBackendPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let railway = environment.platforms.railway
        let services = ServiceName.backend
        var record = rollout
        var observed: [ServiceName: ObservedDeployment] = [:]
        do {
            for service in services where record.deployments[service] == nil {
                let id = try await railway.deploy(DeployRequest(service: service, revision: record.revision, rolloutID: record.id))
                record = try await environment.commit(.deploymentCreated(service, id.rawValue), record)
                environment.note("deploy", service.rawValue, "deployment \(id) of \(CommitID.short(record.revision))")
                environment.dependencies.logger.info(
                    "Deployment started",
                    metadata: [
                        "rollout.id": "\(record.id)", "revision": "\(record.revision)", "service": "\(service)", "deployment": "\(id)",
                    ])
            }
            for service in services {
                guard let id = record.deployments[service] else { continue }
                observed[service] = try await railway.deployment(DeploymentID(id), of: service)
            }
        } catch {
            return try environment.classify(error, during: "deploying the API and the worker")
        }
        if let (service, failed) = observed.sorted(by: { $0.key.rawValue < $1.key.rawValue })
            .first(where: { $0.value.status.isTerminal && !$0.value.status.isSuccess })
        {
            await environment.cancelUnfinished(record)
            return .event(.failed(reason: "the \(service) deployment \(failed.id) of \(CommitID.short(record.revision)) ended \(failed.rawStatus)"))
        }
        if services.allSatisfy({ observed[$0]?.status.isSuccess == true }) {
            return .event(.backendReady)
        }
        let waiting = services.map { "\($0) \(observed[$0]?.rawStatus ?? "?")" }.joined(separator: ", ")
        let timeout = Duration.seconds(environment.manifest.rollout.deployTimeoutSeconds)
        if record.timeInPhase(now: environment.now) > timeout {
            await environment.cancelUnfinished(record)
            return .event(.failed(reason: "the API and worker deployments did not finish within \(timeout) (\(waiting)); cancelled"))
        }
        return .wait(environment.settings.rolloutPollInterval, "waiting for the builds: \(waiting)")
    }
}
