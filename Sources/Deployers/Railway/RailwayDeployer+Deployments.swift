import AsyncPrimitives
public import ClipnetContracts
import ClipnetFormats
import ClipnetJSON
public import Foundation
import Synchronization

/// Deployments: deploy (git or image), get, list, observe, rollback.
extension RailwayDeployer {
    public func deploy(_ request: DeployRequest) async throws -> DeploymentID {
        let service = try service(request.service, "serviceInstanceDeployV2")
        guard request.hasFullRevision else {
            throw DeployerError(
                .invalidRequest, "revision must be a full 40-hex commit id", isRetryable: false, platform: .railway,
                operation: "serviceInstanceDeployV2")
        }
        let image: String?
        switch service.source {
        case .git: image = nil
        case .image(let repository): image = "\(repository):\(request.versionTag)"
        }
        var attempt = 0
        while true {
            attempt += 1
            if let existing = try await findDeployment(
                of: request.service, sha: image == nil ? request.revision : nil, image: image, rolloutID: request.rolloutID
            ) {
                return existing
            }
            do {
                if let image {
                    // UNCONFIRMED whether serviceInstanceUpdate deploys by itself (docs/platforms.md):
                    // the explicit deploy below follows either way.
                    _ = try await execute(
                        "serviceInstanceUpdate", RailwayOperations.serviceInstanceUpdate,
                        variables: [
                            "serviceId": .string(service.serviceId), "environmentId": .string(configuration.environmentId),
                            "input": ["source": ["image": .string(image)]],
                        ])
                }
                var variables: [String: JSONValue] = [
                    "serviceId": .string(service.serviceId), "environmentId": .string(configuration.environmentId),
                ]
                if image == nil { variables["commitSha"] = .string(request.revision) }
                let data = try await execute(
                    "serviceInstanceDeployV2", RailwayOperations.serviceInstanceDeployV2, variables: variables, retry: .unprocessedOnly
                )
                guard let id = data["serviceInstanceDeployV2"]?.stringValue else {
                    throw invalidResponse("serviceInstanceDeployV2", "no deployment id returned")
                }
                created.record(DeploymentID(id), rolloutID: request.rolloutID)
                return DeploymentID(id)
            } catch let error as DeployerError where error.isRetryable && attempt < configuration.transport.maxAttempts {
                // The deploy may have been processed: look for it before deploying again.
                try await Task.sleep(for: configuration.transport.backoff.delay(afterFailures: attempt))
            }
        }
    }

    /// A deployment of this revision that this rollout may adopt
    /// (docs/platforms.md, idempotency): `meta.commitHash == sha` for git services,
    /// `meta.image == image` for image ones, and either created by this rollout in this process
    /// (whatever its status), or not failed and built with the variables the service has now
    /// (`deploymentSnapshot`). The second rule skips a
    /// deployment the platform's own auto-deploy built from the push before the reconciler synced
    /// the variables (an old `CLIPNET_VERSION`), which would otherwise be adopted as this rollout's.
    func findDeployment(of service: ServiceName, sha: String?, image: String?, rolloutID: String) async throws -> DeploymentID? {
        var current: [ObservedVariable]?
        for deployment in try await recentDeployments(of: service, first: 20, statuses: nil) {
            let same = sha.map { deployment.commitSha?.lowercased() == $0 } ?? (deployment.image == image)
            guard same else { continue }
            // This rollout's own deployment, whatever became of it: building it again would deploy
            // the service twice for one rollout and hide the failure (the phase judges its status).
            if created.contains(deployment.id, rolloutID: rolloutID) { return deployment.id }
            if [.failed, .crashed, .removed, .canceled, .blocked].contains(deployment.status) { continue }
            if current == nil { current = try await variables(of: service) }
            if try await ranWith(current ?? [], deployment.id) { return deployment.id }
        }
        return nil
    }

    /// Whether deployment `id` ran with exactly `variables` (same keys, same value hashes).
    /// A snapshot that cannot be read counts as different: deploying again is the safe side.
    func ranWith(_ variables: [ObservedVariable], _ id: DeploymentID) async throws -> Bool {
        let data: JSONValue
        do {
            data = try await execute("deploymentSnapshot", RailwayOperations.deploymentSnapshot, variables: ["deploymentId": .string(id.rawValue)])
        } catch let error as DeployerError where error.code == .notFound || error.code == .platformError {
            return false
        }
        guard let snapshot = data["deploymentSnapshot"]?["variables"]?.objectValue else { return false }
        var ran: [String: String] = [:]
        for (key, value) in snapshot {
            guard let value = value.stringValue else { return false }
            ran[key] = VariableHash.sha256(value)
        }
        let wanted = Dictionary(variables.map { ($0.key, $0.valueSHA256 ?? "") }, uniquingKeysWith: { _, last in last })
        return ran == wanted
    }

    /// `deployments(input: {projectId, environmentId, serviceId, status: {in: …}}, first: N)`, newest first.
    func recentDeployments(of service: ServiceName, first: Int, statuses: [String]?) async throws -> [ObservedDeployment] {
        try await recentDeploymentNodes(of: service, first: first, statuses: statuses).map { try observed($0, service: service) }
    }

    func recentDeploymentNodes(of service: ServiceName, first: Int, statuses: [String]?) async throws -> [JSONValue] {
        let serviceId = try self.service(service, "deployments").serviceId
        var input: [String: JSONValue] = [
            "projectId": .string(configuration.projectId), "environmentId": .string(configuration.environmentId),
            "serviceId": .string(serviceId),
        ]
        if let statuses { input["status"] = ["in": .array(statuses.map { .string($0) })] }
        let data = try await execute(
            "deployments", RailwayOperations.deployments, variables: ["input": .object(input), "first": .number(Double(first))])
        return (data["deployments"]?["edges"]?.arrayValue ?? []).compactMap { $0["node"] }
    }

    /// `deployment(id)`.
    public func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        _ = try self.service(service, "deployment")
        let data = try await execute("deployment", RailwayOperations.deployment, variables: ["id": .string(id.rawValue)])
        guard let node = data["deployment"], node != .null else { throw invalidResponse("deployment", "no deployment returned") }
        return try observed(node, service: service)
    }

    /// `deploymentCancel(id)` (the deployment then ends `REMOVED`); a terminal one is returned as it is.
    public func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        let current = try await deployment(id, of: service)
        guard !current.status.isTerminal else { return current }
        _ = try await execute("deploymentCancel", RailwayOperations.deploymentCancel, variables: ["id": .string(id.rawValue)])
        return try await deployment(id, of: service)
    }

    /// The newest SUCCESS deployment; when there is none, the newest deployment of any status (so a
    /// crashed or failed service shows as such).
    public func observe(_ service: ServiceName) async throws -> ObservedDeployment? {
        if let live = try await recentDeployments(of: service, first: 1, statuses: ["SUCCESS"]).first { return live }
        return try await recentDeployments(of: service, first: 1, statuses: nil).first
    }

    /// `deploymentRollback(id)` (returns only a Boolean; restores that deployment's image and
    /// variables as a new deployment), then `variableCollectionUpsert(skipDeploys: true)` with
    /// `variables`, then the deployment the rollback created (`deploymentCreatedByRollback`).
    public func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID {
        let target = try await deployment(id, of: service)
        let started = Date().addingTimeInterval(-5)  // the platform's clock may lag ours a little
        let data = try await execute(
            "deploymentRollback", RailwayOperations.deploymentRollback, variables: ["id": .string(id.rawValue)], retry: .unprocessedOnly
        )
        guard data["deploymentRollback"]?.boolValue == true else {
            throw DeployerError(
                .rollbackUnavailable, "Railway declined to roll back to \(id)", isRetryable: false, platform: .railway,
                operation: "deploymentRollback")
        }
        if !variables.isEmpty { try await upsertVariables(variables, for: service) }
        if let created = try await deploymentCreatedByRollback(of: service, since: started),
            created.id != id, created.commitSha == target.commitSha, created.image == target.image
        {
            return created.id
        }
        return id
    }

    /// The newest deployment of `service` whose `meta.reason` is `rollback` (docs/platforms.md:
    /// a rollback answers only `true`), created at or after `since` when given.
    public func deploymentCreatedByRollback(of service: ServiceName, since: Date?) async throws -> ObservedDeployment? {
        let nodes = try await recentDeploymentNodes(of: service, first: 10, statuses: nil)
        for node in nodes where node["meta"]?["reason"]?.stringValue == "rollback" {
            let deployment = try observed(node, service: service)
            if let since, let createdAt = deployment.createdAt, createdAt < since { return nil }
            return deployment
        }
        return nil
    }

    /// `deployment(id) { canRollback status statusUpdatedAt }`: ready while `canRollback` is true.
    /// The expiry is estimated for a replaced (REMOVED) deployment as the time it was replaced
    /// (`statusUpdatedAt`) plus `configuration.imageRetention`.
    public func rollbackReadiness(of id: DeploymentID, service: ServiceName) async throws -> RollbackReadiness {
        _ = try self.service(service, "deployment")
        let data: JSONValue
        do {
            data = try await execute("deployment", RailwayOperations.deployment, variables: ["id": .string(id.rawValue)])
        } catch let error as DeployerError where error.code == .notFound {
            return RollbackReadiness(state: .expired, detail: "the deployment no longer exists")
        }
        guard let node = data["deployment"], node != .null else { throw invalidResponse("deployment", "no deployment returned") }
        guard node["canRollback"]?.boolValue == true else {
            return RollbackReadiness(state: .expired, detail: "canRollback is false")
        }
        let status = node["status"]?.stringValue ?? ""
        let replacedAt = status == "REMOVED" ? node["statusUpdatedAt"]?.stringValue.flatMap(RFC3339.date(from:)) : nil
        let retention = configuration.imageRetention.components
        let expires = replacedAt?.addingTimeInterval(TimeInterval(retention.seconds) + TimeInterval(retention.attoseconds) / 1e18)
        return RollbackReadiness(state: .ready, expiresAt: expires, detail: "canRollback is true")
    }
}

/// The deployments this process created, per rollout id (the newest 64 rollouts), so a retried
/// `deploy` adopts its own deployment without further checks.
final class CreatedDeployments: Sendable {
    private let state = Mutex<[(rolloutID: String, ids: Set<DeploymentID>)]>([])

    func record(_ id: DeploymentID, rolloutID: String) {
        state.withLock { list in
            if let index = list.firstIndex(where: { $0.rolloutID == rolloutID }) {
                list[index].ids.insert(id)
            } else {
                list.append((rolloutID, [id]))
                if list.count > 64 { list.removeFirst(list.count - 64) }
            }
        }
    }

    func contains(_ id: DeploymentID, rolloutID: String) -> Bool {
        state.withLock { list in list.contains { $0.rolloutID == rolloutID && $0.ids.contains(id) } }
    }
}

extension RailwayDeployer {
    /// `buildLogs(deploymentId, limit)` for a build that failed, `deploymentLogs` for a deployment
    /// that built and then crashed: the last `limit` lines, oldest first.
    public func failureLog(of deployment: ObservedDeployment, service: ServiceName, limit: Int) async throws -> [String] {
        let field = deployment.rawStatus == "CRASHED" ? "deploymentLogs" : "buildLogs"
        let data = try await execute(
            field, RailwayOperations.logs(field), variables: ["deploymentId": .string(deployment.id.rawValue), "limit": .number(Double(limit))])
        let lines = data[field]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        return Array(lines.suffix(limit))
    }

    /// `deploymentEvents(id)`: each step Railway timed (snapshot, build, container, health
    /// check). The field's shape is UNCONFIRMED: a connection (`edges { node }`) or a plain list
    /// are both read; anything else reads as no steps.
    public func platformSteps(of deployment: ObservedDeployment, service: ServiceName) async throws -> [PlatformStep] {
        let data = try await execute("deploymentEvents", RailwayOperations.deploymentEvents, variables: ["id": .string(deployment.id.rawValue)])
        let field = data["deploymentEvents"]
        let nodes = field?["edges"]?.arrayValue?.compactMap { $0["node"] } ?? field?.arrayValue ?? []
        return nodes.compactMap { node in
            guard let step = node["step"]?.stringValue, let started = node["createdAt"]?.stringValue.flatMap(RFC3339.date(from:)) else { return nil }
            return PlatformStep(
                service: service, step: step, startedAt: started, endedAt: node["completedAt"]?.stringValue.flatMap(RFC3339.date(from:)))
        }
    }
}
