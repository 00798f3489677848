import ClipnetJSON
/// Project environment variables (platform-apis.md 1.8).
extension VercelDeployer {
    /// `GET /v10/projects/{id}/env`, keeping the variables of this deployment's env target.
    /// Values are hashed only for type `plain`: the list returns `encrypted` values as ciphertext and
    /// `sensitive` ones not at all, so drift on those compares key, target and type.
    public func variables(of service: ServiceName) async throws -> [ObservedVariable] {
        try requireFrontend(service, "listEnv")
        let json = try await call(.get, "/v10/projects/\(Self.encode(configuration.projectId))/env", operation: "listEnv")
        let target = configuration.target.envTarget
        return (json["envs"]?.arrayValue ?? []).compactMap { env -> ObservedVariable? in
            guard let key = env["key"]?.stringValue, env["gitBranch"]?.stringValue == nil else { return nil }
            let targets: [String] = env["target"]?.arrayValue?.compactMap(\.stringValue) ?? env["target"]?.stringValue.map { [$0] } ?? []
            guard targets.contains(target) else { return nil }
            let type = env["type"]?.stringValue
            let value = type == "plain" ? env["value"]?.stringValue : nil
            return ObservedVariable(
                key: key, valueSHA256: value.map(VariableHash.sha256), type: type, targets: targets,
                identifierFingerprints: value.flatMap { configuration.valueInspector?.fingerprints($0) } ?? [])
        }.sorted { $0.key < $1.key }
    }

    /// `POST /v10/projects/{id}/env?upsert=true` with an array body; every entry of the `failed`
    /// array is reported (keys and codes only) as `partialFailure`. Env changes apply to new
    /// deployments only, so this never deploys by itself.
    public func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {
        try requireFrontend(service, "upsertEnv")
        guard !variables.isEmpty else { return }
        let target = configuration.target.envTarget
        let body = JSONValue.array(variables.map { variable in
            [
                "key": .string(variable.key), "value": .string(variable.value),
                "type": variable.kind == .plain ? "plain" : "sensitive", "target": [.string(target)],
            ]
        })
        let json = try await call(
            .post, "/v10/projects/\(Self.encode(configuration.projectId))/env", query: [("upsert", "true")], body: body,
            operation: "upsertEnv", secrets: variables.map(\.value)
        )
        let failed = json["failed"]?.arrayValue ?? []
        guard failed.isEmpty else {
            let scrubber = transport.scrubber.adding(variables.map(\.value))
            let items = failed.map { item -> String in
                let error = item["error"]
                return "\(error?["key"]?.stringValue ?? "?") (\(error?["code"]?.stringValue ?? "error"): \(scrubber.scrub(error?["message"]?.stringValue ?? "")))"
            }
            throw DeployerError(
                .partialFailure, "\(failed.count) of \(variables.count) variables were not saved: \(items.joined(separator: "; "))",
                isRetryable: false, platform: .vercel, operation: "upsertEnv", httpStatus: 201
            )
        }
    }
}
