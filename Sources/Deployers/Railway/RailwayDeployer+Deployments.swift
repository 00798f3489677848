import Foundation
import ClipnetJSON

/// Deployments: deploy (git or image), get, list, observe, rollback.
extension RailwayDeployer {
    public func deploy(_ request: DeployRequest) async throws -> DeploymentID {
        let service = try service(request.service, "serviceInstanceDeployV2")
        guard request.hasFullRevision else {
            throw DeployerError(.invalidRequest, "revision must be a full 40-hex commit id", isRetryable: false, platform: .railway, operation: "serviceInstanceDeployV2")
        }
        let image: String?
        switch service.source {
        case .git: image = nil
        case .image(let repository): image = "\(repository):\(request.versionTag)"
        }
        var attempt = 0
        while true {
            attempt += 1
            if let existing = try await findDeployment(of: request.service, sha: image == nil ? request.revision : nil, image: image) {
                return existing
            }
            do {
                if let image {
                    // UNCONFIRMED whether serviceInstanceUpdate deploys by itself (platform-apis.md 2.4):
                    // the explicit deploy below follows either way.
                    _ = try await execute("serviceInstanceUpdate", RailwayOperations.serviceInstanceUpdate, variables: [
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
                return DeploymentID(id)
            } catch let error as DeployerError where error.isRetryable && attempt < configuration.transport.maxAttempts {
                // The deploy may have been processed: look for it before deploying again.
                try await Task.sleep(for: configuration.transport.backoff.delay(afterFailures: attempt))
            }
        }
    }

    /// The newest deployment of this revision that has not failed (platform-apis.md 3,
    /// idempotency): `meta.commitHash == sha` for git services, `meta.image == image` for image ones.
    func findDeployment(of service: ServiceName, sha: String?, image: String?) async throws -> DeploymentID? {
        for deployment in try await recentDeployments(of: service, first: 20, statuses: nil) {
            let same = sha.map { deployment.commitSha?.lowercased() == $0 } ?? (deployment.image == image)
            guard same else { continue }
            if [.failed, .crashed, .removed, .canceled].contains(deployment.status) { continue }
            return deployment.id
        }
        return nil
    }

    /// `deployments(input: {projectId, environmentId, serviceId, status: {in: …}}, first: N)`, newest first.
    func recentDeployments(of service: ServiceName, first: Int, statuses: [String]?) async throws -> [ObservedDeployment] {
        let serviceId = try self.service(service, "deployments").serviceId
        var input: [String: JSONValue] = [
            "projectId": .string(configuration.projectId), "environmentId": .string(configuration.environmentId),
            "serviceId": .string(serviceId),
        ]
        if let statuses { input["status"] = ["in": .array(statuses.map { .string($0) })] }
        let data = try await execute("deployments", RailwayOperations.deployments, variables: ["input": .object(input), "first": .number(Double(first))])
        return try (data["deployments"]?["edges"]?.arrayValue ?? []).compactMap { edge in
            try edge["node"].map { try observed($0, service: service) }
        }
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

    /// `deploymentRollback(id)` (returns a Boolean and restores that deployment's image and
    /// variables), then `variableCollectionUpsert(skipDeploys: true)` with `variables`, then the
    /// newest deployment of the same revision, which is the one the rollback created.
    public func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID {
        let target = try await deployment(id, of: service)
        let data = try await execute(
            "deploymentRollback", RailwayOperations.deploymentRollback, variables: ["id": .string(id.rawValue)], retry: .unprocessedOnly
        )
        guard data["deploymentRollback"]?.boolValue == true else {
            throw DeployerError(.rollbackUnavailable, "Railway declined to roll back to \(id)", isRetryable: false, platform: .railway, operation: "deploymentRollback")
        }
        if !variables.isEmpty { try await upsertVariables(variables, for: service) }
        let recent = try await recentDeployments(of: service, first: 5, statuses: nil)
        let created = recent.first { $0.id != id && $0.commitSha == target.commitSha && $0.image == target.image && !$0.status.isTerminal }
            ?? recent.first { $0.id != id && $0.commitSha == target.commitSha && $0.image == target.image && $0.status == .ready }
        return created?.id ?? id
    }
}
