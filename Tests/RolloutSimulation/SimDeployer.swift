public import ClipnetContracts
public import Deployers
import Foundation

/// One platform's client in the simulation, on behalf of one daemon (its leadership epoch is
/// stamped on every change it sends). It keeps the real clients' contracts: `deploy` finds the
/// deployment its rollout already created, `repoint` on Railway creates a new deployment.
public struct SimDeployer: PlatformDeployer {
    let world: SimWorld
    public let platform: Platform
    let callerEpoch: Int

    public var services: Set<ServiceName> { Set(ServiceName.hosted(on: platform)) }
    public var buildsStayOffDomains: Bool { platform == .vercel && world.frontendBuildsStayOffDomains }

    private func check(_ service: ServiceName) throws {
        guard services.contains(service) else {
            throw DeployerError(.unsupportedService, "\(platform) does not run \(service)", isRetryable: false, platform: platform)
        }
    }

    public func observe(_ service: ServiceName) async throws -> ObservedDeployment? {
        try check(service)
        return try world.call("observe", service, callerEpoch: callerEpoch, mutates: false) { contents, _ in
            SimWorld.serving(contents, service).map(world.observed)
        }
    }

    public func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try check(service)
        return try world.call("deployment", service, callerEpoch: callerEpoch, mutates: false) { contents, _ in
            guard let found = contents.deployments.first(where: { $0.id == id.rawValue && $0.service == service }) else {
                throw DeployerError(.notFound, "deployment \(id) not found", isRetryable: false, platform: platform)
            }
            return world.observed(found)
        }
    }

    public func deploy(_ request: DeployRequest) async throws -> DeploymentID {
        try check(request.service)
        return try world.call("deploy", request.service, callerEpoch: callerEpoch, mutates: true) { contents, now in
            // The rollout's own deployment, whatever its status (Vercel finds it by the rollout id
            // in `meta`; Railway by what the process created).
            if let existing = contents.deployments.last(where: {
                $0.rolloutID == request.rolloutID && $0.service == request.service && !$0.isRollback
            }) {
                return DeploymentID(existing.id)
            }
            if world.isFailed(request.revision) {
                contents.violations.append("a build of \(request.revision.suffix(6)) (\(request.service)) was started while it is marked failed")
            }
            let key = "\(request.rolloutID)/\(request.service)"
            contents.builds[key, default: 0] += 1
            if contents.builds[key]! > 1 {
                contents.violations.append("\(request.service) was built twice for rollout \(request.rolloutID)")
            }
            var hung = false
            if let index = contents.faults.firstIndex(where: { $0.kind == .hang && $0.service == request.service }) {
                contents.faults.remove(at: index)
                hung = true
            }
            let id = world.nextID(&contents, request.service)
            contents.deployments.append(
                SimWorld.Deployment(
                    id: id, service: request.service, revision: request.revision, status: .building, createdAt: now, readyAt: nil,
                    rolloutID: request.rolloutID, isRollback: false, hung: hung, removedAt: nil))
            return DeploymentID(id)
        }
    }

    public func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try check(service)
        return try world.call("cancel", service, callerEpoch: callerEpoch, mutates: true) { contents, _ in
            guard let index = contents.deployments.firstIndex(where: { $0.id == id.rawValue }) else {
                throw DeployerError(.notFound, "deployment \(id) not found", isRetryable: false, platform: platform)
            }
            if !contents.deployments[index].status.isTerminal { contents.deployments[index].status = .canceled }
            return world.observed(contents.deployments[index])
        }
    }

    public func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID {
        try check(service)
        return try world.call("repoint", service, callerEpoch: callerEpoch, mutates: true) { contents, now in
            guard let target = contents.deployments.first(where: { $0.id == id.rawValue && $0.service == service }) else {
                throw DeployerError(.notFound, "deployment \(id) not found", isRetryable: false, platform: platform)
            }
            if service == .frontend {
                guard target.status == .ready else {
                    throw DeployerError(.invalidRequest, "deployment \(id) is \(target.status), not READY", isRetryable: false, platform: platform)
                }
                if target.rolloutID != nil, !contents.aliasedBefore.contains(target.id) {
                    // A new build goes live only once the backend runs its revision.
                    let behind = ServiceName.backend.filter { backend in
                        !contents.deployments.contains {
                            $0.service == backend && $0.revision == target.revision && [.ready, .removed, .crashed].contains($0.status)
                        }
                    }
                    if !behind.isEmpty {
                        contents.violations.append(
                            "the frontend alias moved to a build of \(target.revision.suffix(6)) before \(behind.map(\.rawValue).joined(separator: " and ")) ran it"
                        )
                    }
                    contents.aliasedBefore.insert(target.id)
                }
                contents.alias = target.id
                return id
            }
            guard target.status == .ready || target.status == .removed else {
                throw DeployerError(
                    .rollbackUnavailable, "deployment \(id) is \(target.status): cannot roll back to it", isRetryable: false, platform: platform)
            }
            var hashes = contents.variables[service] ?? [:]
            for variable in variables { hashes[variable.key] = VariableHash.sha256(variable.value) }
            contents.variables[service] = hashes
            let newID = world.nextID(&contents, service)
            contents.deployments.append(
                SimWorld.Deployment(
                    id: newID, service: service, revision: target.revision, status: .deploying, createdAt: now, readyAt: nil, rolloutID: nil,
                    isRollback: true, hung: false, removedAt: nil))
            return DeploymentID(newID)
        }
    }

    public func variables(of service: ServiceName) async throws -> [ObservedVariable] {
        try check(service)
        return try world.call("variables", service, callerEpoch: callerEpoch, mutates: false) { contents, _ in
            (contents.variables[service] ?? [:]).sorted { $0.key < $1.key }.map {
                ObservedVariable(key: $0.key, valueSHA256: $0.value, type: "plain", targets: [])
            }
        }
    }

    public func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {
        try check(service)
        try world.call("upsertVariables", service, callerEpoch: callerEpoch, mutates: true) { contents, _ in
            var hashes = contents.variables[service] ?? [:]
            for variable in variables { hashes[variable.key] = VariableHash.sha256(variable.value) }
            contents.variables[service] = hashes
        }
    }

    public func topology() async throws -> PlatformTopology {
        try world.call("topology", platform == .vercel ? .frontend : .api, callerEpoch: callerEpoch, mutates: false) { _, _ in
            PlatformTopology(
                platform: platform, project: .init(id: "project", name: "clipnet"),
                services: world.topology, environments: [.init(id: world.environmentID, name: "staging")])
        }
    }

    public func autoDeploy(of service: ServiceName) async throws -> AutoDeployState {
        AutoDeployState(service: service, enabled: false, canSwitchOff: true, detail: "off")
    }

    public func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState {
        try world.call("disableAutoDeploy", service, callerEpoch: callerEpoch, mutates: true) { _, _ in
            AutoDeployState(service: service, enabled: false, canSwitchOff: true, detail: "off")
        }
    }
}
