public import ClipnetContracts
import ClipnetJSON

/// Service variables (docs/platforms.md).
extension RailwayDeployer {
    /// `variables(projectId, environmentId, serviceId, unrendered: true)`: references stay as written,
    /// so they compare with the manifest; values are hashed at once.
    public func variables(of service: ServiceName) async throws -> [ObservedVariable] {
        let serviceId = try self.service(service, "variables").serviceId
        let data = try await execute(
            "variables", RailwayOperations.variables,
            variables: [
                "projectId": .string(configuration.projectId), "environmentId": .string(configuration.environmentId),
                "serviceId": .string(serviceId), "unrendered": true,
            ])
        guard let map = data["variables"]?.objectValue else { throw invalidResponse("variables", "`variables` is not an object") }
        return map.compactMap { key, value in
            value.stringValue.map {
                ObservedVariable(
                    key: key, valueSHA256: VariableHash.sha256($0), type: nil, targets: [configuration.environmentId],
                    identifierFingerprints: configuration.valueInspector?.fingerprints($0) ?? [])
            }
        }.sorted { $0.key < $1.key }
    }

    /// `variableCollectionUpsert(input: {…, skipDeploys: true})`: without `skipDeploys` Railway would
    /// redeploy the service's current revision with the new variables.
    public func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {
        let serviceId = try self.service(service, "variableCollectionUpsert").serviceId
        guard !variables.isEmpty else { return }
        let map = JSONValue.object(Dictionary(variables.map { ($0.key, JSONValue.string($0.value)) }, uniquingKeysWith: { _, last in last }))
        let data = try await execute(
            "variableCollectionUpsert", RailwayOperations.variableCollectionUpsert,
            variables: [
                "input": [
                    "projectId": .string(configuration.projectId), "environmentId": .string(configuration.environmentId),
                    "serviceId": .string(serviceId), "variables": map, "skipDeploys": true,
                ]
            ], secrets: variables.map(\.value))
        guard data["variableCollectionUpsert"]?.boolValue == true else {
            throw DeployerError(
                .platformError, "variableCollectionUpsert returned false", isRetryable: true, platform: .railway,
                operation: "variableCollectionUpsert")
        }
    }
}
