import ClipnetJSON
/// Topology and auto-deploy (platform-apis.md 2.2, 2.4).
extension RailwayDeployer {
    /// `project(id) { services environments }`.
    public func topology() async throws -> PlatformTopology {
        let data = try await execute("project", RailwayOperations.project, variables: ["id": .string(configuration.projectId)])
        guard let project = data["project"], let id = project["id"]?.stringValue, let name = project["name"]?.stringValue else {
            throw invalidResponse("project", "no project in the answer")
        }
        func nodes(_ connection: JSONValue?) -> [PlatformTopology.Resource] {
            (connection?["edges"]?.arrayValue ?? []).compactMap { edge in
                guard let id = edge["node"]?["id"]?.stringValue, let name = edge["node"]?["name"]?.stringValue else { return nil }
                return PlatformTopology.Resource(id: id, name: name)
            }
        }
        return PlatformTopology(
            platform: .railway, project: .init(id: id, name: name), services: nodes(project["services"]), environments: nodes(project["environments"])
        )
    }

    /// `serviceInstanceAutoDeployStatus(environmentId, projectId, serviceId) { enabled canEnable reason }`.
    public func autoDeploy(of service: ServiceName) async throws -> AutoDeployState {
        let serviceId = try self.service(service, "serviceInstanceAutoDeployStatus").serviceId
        let data = try await execute("serviceInstanceAutoDeployStatus", RailwayOperations.serviceInstanceAutoDeployStatus, variables: [
            "environmentId": .string(configuration.environmentId), "projectId": .string(configuration.projectId), "serviceId": .string(serviceId),
        ])
        let status = data["serviceInstanceAutoDeployStatus"]
        let enabled = status?["enabled"]?.boolValue
        return AutoDeployState(
            service: service, enabled: enabled, canSwitchOff: enabled == true,
            detail: status?["reason"]?.stringValue ?? (enabled == true ? "Railway deploys this service on every push" : "auto-deploy is off")
        )
    }

    /// `serviceInstanceAutoDeployUpdate(input: {enabled: false, …})`; the repository stays connected so
    /// `serviceInstanceDeployV2(commitSha:)` still validates commits.
    public func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState {
        let serviceId = try self.service(service, "serviceInstanceAutoDeployUpdate").serviceId
        let data = try await execute("serviceInstanceAutoDeployUpdate", RailwayOperations.serviceInstanceAutoDeployUpdate, variables: [
            "input": [
                "enabled": false, "environmentId": .string(configuration.environmentId), "projectId": .string(configuration.projectId),
                "serviceId": .string(serviceId),
            ],
        ])
        let enabled = data["serviceInstanceAutoDeployUpdate"]?["enabled"]?.boolValue ?? false
        return AutoDeployState(service: service, enabled: enabled, canSwitchOff: enabled, detail: enabled ? "auto-deploy is still on" : "auto-deploy switched off")
    }
}
