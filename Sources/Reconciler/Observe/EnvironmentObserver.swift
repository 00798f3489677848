import ClipnetConfig
import ClipnetContracts
import Deployers
import Foundation

/// Reads everything a pass compares, all at once: the three services' live deployments, their
/// variables (hashed), the Railway project's services, auto-deploy switches, the API's version and
/// health URLs and the worker heartbeats; and, for status only, the environment's inventory
/// (the worker's Cloudinary folder).
///
/// Only the live deployments are essential: without them nothing can be compared, so a failure
/// there throws. Anything else that cannot be read is listed in `problems` and the drift kinds
/// that need it are skipped for this pass.
struct EnvironmentObserver: Sendable {
    let environment: String
    let probes: any ServiceProbing
    let settings: ReconcileSettings
    var now: @Sendable () -> Date = { Date() }

    func observe(platforms: Platforms, preflight: ConfigurationPreflight.Result) async throws -> Observation {
        let manifest = preflight.resolved.manifest
        let redisURL = preflight.workerRedisURL
        let readHeartbeats = settings.workerVersionSource == .heartbeat

        // A task group, not `async let`: twelve `async let`s of `Result`s built by throwing
        // closures are the shape Swift 6.3's optimiser miscompiles (child-task frames freed out
        // of order; swiftlang/swift#87481). The release build crashed here under the rollout
        // simulation; the debug build never did.
        let readings = await withTaskGroup(of: Reading.self) { group -> [Reading] in
            for service in [ServiceName.frontend, .api, .worker] {
                let platform = platforms.deployer(for: service)
                group.addTask { .deployment(service, await Self.capture { try await platform.observe(service) }) }
                group.addTask { .variables(service, await Self.capture { try await platform.variables(of: service) }) }
            }
            for service in [ServiceName.api, .worker] {
                group.addTask { .autoDeploy(service, await Self.capture { try await platforms.railway.autoDeploy(of: service) }) }
            }
            group.addTask { .topology(await Self.capture { try await platforms.railway.topology() }) }
            group.addTask { .version(await probes.version(at: manifest.railway.services.api.versionUrl)) }
            group.addTask { .health(await probes.health(at: manifest.railway.services.api.healthUrl)) }
            group.addTask { .fleet(await Self.fleet(probes, redisURL: redisURL, environment: environment, enabled: readHeartbeats)) }
            group.addTask { [now] in .inventory(await Inventory.cloudinaryFolder(preflight, probes: probes, now: now)) }
            // Every child is collected before anything is thrown: no read is left running when
            // the pass gives up.
            var all: [Reading] = []
            for await reading in group { all.append(reading) }
            return all
        }
        var deploymentResults: [ServiceName: Result<ObservedDeployment?, any Error>] = [:]
        var variableResults: [ServiceName: Result<[ObservedVariable], any Error>] = [:]
        var autoDeployResults: [ServiceName: Result<AutoDeployState, any Error>] = [:]
        var topologyResult: Result<PlatformTopology, any Error> = .failure(CancellationError())
        var versionResult: ProbeResult<String> = .failed("not read")
        var healthResult: ProbeResult<Int> = .failed("not read")
        var fleetResult: ProbeResult<WorkerFleet>?
        var inventory: [StatusDocument.InventoryItem] = []
        for reading in readings {
            switch reading {
            case .deployment(let service, let result): deploymentResults[service] = result
            case .variables(let service, let result): variableResults[service] = result
            case .autoDeploy(let service, let result): autoDeployResults[service] = result
            case .topology(let result): topologyResult = result
            case .version(let result): versionResult = result
            case .health(let result): healthResult = result
            case .fleet(let result): fleetResult = result
            case .inventory(let item): inventory.append(item)
            }
        }
        let deployments = [ServiceName.frontend, .api, .worker].map { ($0, deploymentResults[$0] ?? .failure(CancellationError())) }

        var problems: [String] = []
        for (_, result) in deployments {
            if case .failure(let error) = result { throw error }
        }
        let live = Dictionary(uniqueKeysWithValues: deployments.map { ($0.0, (try? $0.1.get()) ?? nil) })

        var services: [ServiceName: ServiceObservation] = [:]
        let frontendDeployment = live[.frontend] ?? nil
        services[.frontend] = ServiceObservation(
            service: .frontend, platform: .vercel, deployment: frontendDeployment, reportedRevision: nil, revisionSource: .platform,
            healthy: frontendDeployment.map { $0.status.isSuccess },
            detail: frontendDeployment == nil ? "\(manifest.frontend.domain) points at no deployment" : nil)

        services[.api] = ServiceObservation(
            service: .api, platform: .railway, deployment: live[.api] ?? nil, reportedRevision: versionResult.value,
            revisionSource: .versionEndpoint, healthy: healthResult.value != nil,
            detail: [versionResult.failure, healthResult.failure].compactMap { $0 }.joined(separator: "; ").nonEmpty)

        let workerDeployment = live[.worker] ?? nil
        var workerObservation = ServiceObservation(
            service: .worker, platform: .railway, deployment: workerDeployment, reportedRevision: nil, revisionSource: .platform,
            healthy: workerDeployment.map { $0.status.isSuccess }, detail: nil)
        if let fleetResult {
            workerObservation.revisionSource = .heartbeat
            switch fleetResult {
            case .reported(let all):
                // Replicas of a replaced deployment keep beating until Railway stops them (it
                // overlaps old and new): they are draining, not skew. A heartbeat that names no
                // deployment (an older worker) cannot be told apart and counts.
                let (fleet, draining) = all.replicas(of: workerDeployment?.id.rawValue)
                // A mixed fleet (old workers still alive during a deploy) reports no single
                // version: the detail lists them, and the platform record stands for drift.
                workerObservation.reportedRevision = fleet.versions.count == 1 ? fleet.versions.first?.version : nil
                // Only draining replicas beating: the new deployment's have not reported yet
                // (starting), which is not unhealthy.
                workerObservation.healthy = fleet.workers.isEmpty ? (draining > 0 ? nil : false) : true
                workerObservation.detail =
                    (fleet.workers.isEmpty
                        ? (draining > 0 ? "no heartbeat yet from the running deployment" : "no live worker heartbeat")
                        : "\(fleet.workers.count) live worker(s): "
                            + fleet.versions.map { "\(String($0.version.prefix(12))) ×\($0.count)" }.joined(separator: ", "))
                    + (draining > 0 ? "; \(draining) draining replica(s) of a replaced deployment" : "")
            case .failed(let message):
                workerObservation.healthy = nil
                workerObservation.detail = message
            }
        }
        services[.worker] = workerObservation

        var variables: [ServiceName: [ObservedVariable]] = [:]
        for service in [ServiceName.frontend, .api, .worker] {
            guard let result = variableResults[service] else { continue }
            switch result {
            case .success(let list): variables[service] = list
            case .failure(let error): problems.append("variables of \(service) could not be read: \(error)")
            }
        }
        var autoDeploy: [ServiceName: AutoDeployState] = [:]
        for service in [ServiceName.api, .worker] {
            guard let result = autoDeployResults[service] else { continue }
            switch result {
            case .success(let state): autoDeploy[service] = state
            case .failure(let error): problems.append("auto-deploy of \(service) could not be read: \(error)")
            }
        }
        let project: PlatformTopology?
        switch topologyResult {
        case .success(let value): project = value
        case .failure(let error):
            project = nil
            problems.append("the Railway project could not be read: \(error)")
        }
        if case .failed(let message)? = fleetResult { problems.append(message) }
        return Observation(
            at: now(), services: services, variables: variables, topology: project, autoDeploy: autoDeploy,
            workers: fleetResult?.value, problems: problems, inventory: inventory.sorted { ($0.name, $0.target ?? "") < ($1.name, $1.target ?? "") })
    }

    /// One read's outcome, tagged with what was read.
    private enum Reading: Sendable {
        case deployment(ServiceName, Result<ObservedDeployment?, any Error>)
        case variables(ServiceName, Result<[ObservedVariable], any Error>)
        case autoDeploy(ServiceName, Result<AutoDeployState, any Error>)
        case topology(Result<PlatformTopology, any Error>)
        case version(ProbeResult<String>)
        case health(ProbeResult<Int>)
        case fleet(ProbeResult<WorkerFleet>?)
        case inventory(StatusDocument.InventoryItem)
    }

    private static func fleet(_ probes: any ServiceProbing, redisURL: String?, environment: String, enabled: Bool) async -> ProbeResult<WorkerFleet>?
    {
        guard enabled else { return nil }
        guard let redisURL else { return .failed("no Redis URL resolved for the worker heartbeats") }
        return await probes.workers(redisURL: redisURL, environment: environment)
    }

    private static func capture<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}

extension String {
    /// nil for the empty string, for optional messages built by joining.
    var nonEmpty: String? { isEmpty ? nil : self }
}
