import ClipnetConfig
import ClipnetContracts
import Deployers
import KnownGoodStore
import Logging

/// The API and the worker at R with the same version tag, then wait until both serve. Each
/// deployment id is committed the moment the platform returns it, so a daemon killed here never
/// deploys that service again for this rollout; a kill between the call and the commit is covered
/// by the deployers finding their own deployment (rollout id or revision).
///
/// Where the frontend's platform keeps a finished build off the domains (`buildsStayOffDomains`),
/// the frontend's build starts here too, beside the backend's: its id is committed the same way,
/// `DeployFrontendPhase` then finds it and only waits for it and moves the alias, which still
/// happens after the backend is verified. A frontend build that fails here fails the rollout at
/// once; a backend that fails cancels the frontend build with its own.
struct DeployBackendPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let railway = environment.platforms.railway
        let vercel = environment.platforms.vercel
        let services = ServiceName.backend
        let frontendBeside = vercel.buildsStayOffDomains
        var record = rollout
        var observed: [ServiceName: ObservedDeployment] = [:]
        var frontend: ObservedDeployment?
        do {
            for service in services where record.deployments[service] == nil {
                record = try await start(service, on: railway, record, environment)
            }
            if frontendBeside, record.deployments.frontend == nil {
                record = try await start(.frontend, on: vercel, record, environment)
            }
            for service in services {
                guard let id = record.deployments[service] else { continue }
                observed[service] = try await railway.deployment(DeploymentID(id), of: service)
            }
            if frontendBeside, let id = record.deployments.frontend {
                frontend = try await vercel.deployment(DeploymentID(id), of: .frontend)
            }
        } catch {
            return try environment.classify(
                error, during: frontendBeside ? "deploying the API, the worker and the frontend" : "deploying the API and the worker")
        }
        if let (service, failed) = observed.sorted(by: { $0.key.rawValue < $1.key.rawValue })
            .first(where: { $0.value.status.isTerminal && !$0.value.status.isSuccess })
        {
            await environment.captureFailureLog(record, failed)
            await environment.cancelUnfinished(record)
            return .event(.failed(reason: "the \(service) deployment \(failed.id) of \(CommitID.short(record.revision)) ended \(failed.rawStatus)"))
        }
        if let frontend, frontend.status.isTerminal, !frontend.status.isSuccess {
            await environment.captureFailureLog(record, frontend)
            await environment.cancelUnfinished(record)
            return .event(
                .failed(reason: "the frontend deployment \(frontend.id) of \(CommitID.short(record.revision)) ended \(frontend.rawStatus)"))
        }
        if services.allSatisfy({ observed[$0]?.status.isSuccess == true }) {
            // The frontend may still be building: `DeployFrontendPhase` waits for it.
            let steps = await environment.platformSteps(services.compactMap { observed[$0] })
            return .event(.backendReady(platformSteps: steps))
        }
        let waiting = (services.map { "\($0) \(observed[$0]?.rawStatus ?? "?")" } + (frontend.map { ["frontend \($0.rawStatus)"] } ?? []))
            .joined(separator: ", ")
        let timeout = Duration.seconds(environment.manifest.rollout.deployTimeoutSeconds)
        if record.timeInPhase(now: environment.now) > timeout {
            await environment.cancelUnfinished(record)
            return .event(.failed(reason: "the API and worker deployments did not finish within \(timeout) (\(waiting)); cancelled"))
        }
        return .wait(environment.settings.rolloutPollInterval, "waiting for the builds: \(waiting)")
    }

    /// Asks `deployer` for a build of `service` at R and commits its id before anything else.
    private func start(
        _ service: ServiceName, on deployer: any PlatformDeployer, _ record: RolloutRecord, _ environment: PhaseEnvironment
    ) async throws -> RolloutRecord {
        let id = try await deployer.deploy(DeployRequest(service: service, revision: record.revision, rolloutID: record.id))
        let committed = try await environment.commit(.deploymentCreated(service, id.rawValue), record)
        environment.note("deploy", service.rawValue, "deployment \(id) of \(CommitID.short(committed.revision))")
        environment.dependencies.logger.info(
            "Deployment started",
            metadata: [
                "rollout.id": "\(committed.id)", "revision": "\(committed.revision)", "service": "\(service)", "deployment": "\(id)",
            ])
        return committed
    }
}
