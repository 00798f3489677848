import ClipnetConfig
import Deployers
import Foundation

/// Reads everything a pass compares, all at once: the three services' live deployments, their
/// variables (hashed), the Railway project's services, auto-deploy switches, the API's version and
/// health URLs and the worker heartbeats.
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

        async let frontend = Self.capture { try await platforms.vercel.observe(.frontend) }
        async let api = Self.capture { try await platforms.railway.observe(.api) }
        async let worker = Self.capture { try await platforms.railway.observe(.worker) }
        async let frontendVariables = Self.capture { try await platforms.vercel.variables(of: .frontend) }
        async let apiVariables = Self.capture { try await platforms.railway.variables(of: .api) }
        async let workerVariables = Self.capture { try await platforms.railway.variables(of: .worker) }
        async let topology = Self.capture { try await platforms.railway.topology() }
        async let apiAutoDeploy = Self.capture { try await platforms.railway.autoDeploy(of: .api) }
        async let workerAutoDeploy = Self.capture { try await platforms.railway.autoDeploy(of: .worker) }
        async let version = probes.version(at: manifest.railway.services.api.versionUrl)
        async let health = probes.health(at: manifest.railway.services.api.healthUrl)
        async let fleet = Self.fleet(probes, redisURL: redisURL, environment: environment, enabled: readHeartbeats)

        // Every child is awaited before anything is thrown: no read is left running (and no
        // task left to the implicit cancel-and-await of a throwing exit) when the pass gives up.
        let deployments: [(ServiceName, Result<ObservedDeployment?, any Error>)] = [
            (.frontend, await frontend), (.api, await api), (.worker, await worker),
        ]
        let variableResults = [(ServiceName.frontend, await frontendVariables), (.api, await apiVariables), (.worker, await workerVariables)]
        let autoDeployResults = [(ServiceName.api, await apiAutoDeploy), (.worker, await workerAutoDeploy)]
        let topologyResult = await topology
        let versionResult = await version
        let healthResult = await health
        let fleetResult = await fleet

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
            case .reported(let fleet):
                // A mixed fleet (old workers still alive during a deploy) reports no single
                // version: the detail lists them, and the platform record stands for drift.
                workerObservation.reportedRevision = fleet.versions.count == 1 ? fleet.versions.first?.version : nil
                workerObservation.healthy = !fleet.workers.isEmpty
                workerObservation.detail = fleet.workers.isEmpty
                    ? "no live worker heartbeat"
                    : "\(fleet.workers.count) live worker(s): " + fleet.versions.map { "\(String($0.version.prefix(12))) ×\($0.count)" }.joined(separator: ", ")
            case .failed(let message):
                workerObservation.healthy = nil
                workerObservation.detail = message
            }
        }
        services[.worker] = workerObservation

        var variables: [ServiceName: [ObservedVariable]] = [:]
        for (service, result) in variableResults {
            switch result {
            case .success(let list): variables[service] = list
            case .failure(let error): problems.append("variables of \(service) could not be read: \(error)")
            }
        }
        var autoDeploy: [ServiceName: AutoDeployState] = [:]
        for (service, result) in autoDeployResults {
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
            workers: fleetResult?.value, problems: problems)
    }

    private static func fleet(_ probes: any ServiceProbing, redisURL: String?, environment: String, enabled: Bool) async -> ProbeResult<WorkerFleet>? {
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
