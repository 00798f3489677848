public import ClipnetContracts
import ClipnetJSON

/// Topology and auto-deploy (docs/platforms.md).
extension RailwayDeployer {
    /// `project(id) { services environments }`, reading every page of `services` (Relay
    /// `first/after`; the largest `first` Railway accepts is UNCONFIRMED, so pages are 100).
    public func topology() async throws -> PlatformTopology {
        func nodes(_ connection: JSONValue?) -> [PlatformTopology.Resource] {
            (connection?["edges"]?.arrayValue ?? []).compactMap { edge in
                guard let id = edge["node"]?["id"]?.stringValue, let name = edge["node"]?["name"]?.stringValue else { return nil }
                return PlatformTopology.Resource(id: id, name: name)
            }
        }
        var after: String?
        var services: [PlatformTopology.Resource] = []
        var first: (project: PlatformTopology.Resource, environments: [PlatformTopology.Resource])?
        for _ in 0..<100 {
            var variables: [String: JSONValue] = ["id": .string(configuration.projectId), "first": .number(Double(Self.pageSize))]
            if let after { variables["after"] = .string(after) }
            let data = try await execute("project", RailwayOperations.project, variables: variables)
            guard let project = data["project"], let id = project["id"]?.stringValue, let name = project["name"]?.stringValue else {
                throw invalidResponse("project", "no project in the answer")
            }
            if first == nil { first = (.init(id: id, name: name), nodes(project["environments"])) }
            services += nodes(project["services"])
            let pageInfo = project["services"]?["pageInfo"]
            guard pageInfo?["hasNextPage"]?.boolValue == true, let cursor = pageInfo?["endCursor"]?.stringValue, cursor != after else { break }
            after = cursor
        }
        guard let first else { throw invalidResponse("project", "no project in the answer") }
        return PlatformTopology(platform: .railway, project: first.project, services: services, environments: first.environments)
    }

    /// Page size of Relay connections read to the end.
    static let pageSize = 100

    /// `environment(id) { configEtag }`: one request that tells whether anything in the
    /// environment's configuration (variables, sources, settings) changed since the last token.
    public func configurationChangeToken() async throws -> String? {
        let data = try await execute(
            "environment", RailwayOperations.environmentConfigEtag,
            variables: [
                "id": .string(configuration.environmentId), "projectId": .string(configuration.projectId),
            ])
        return data["environment"]?["configEtag"]?.stringValue
    }

    /// `serviceInstanceAutoDeployStatus(environmentId, projectId, serviceId) { enabled canEnable reason }`.
    public func autoDeploy(of service: ServiceName) async throws -> AutoDeployState {
        let serviceId = try self.service(service, "serviceInstanceAutoDeployStatus").serviceId
        let data = try await execute(
            "serviceInstanceAutoDeployStatus", RailwayOperations.serviceInstanceAutoDeployStatus,
            variables: [
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
        let data = try await execute(
            "serviceInstanceAutoDeployUpdate", RailwayOperations.serviceInstanceAutoDeployUpdate,
            variables: [
                "input": [
                    "enabled": false, "environmentId": .string(configuration.environmentId), "projectId": .string(configuration.projectId),
                    "serviceId": .string(serviceId),
                ]
            ])
        let enabled = data["serviceInstanceAutoDeployUpdate"]?["enabled"]?.boolValue ?? false
        return AutoDeployState(
            service: service, enabled: enabled, canSwitchOff: enabled, detail: enabled ? "auto-deploy is still on" : "auto-deploy switched off")
    }
}
