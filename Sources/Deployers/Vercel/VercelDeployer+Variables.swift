public import ClipnetContracts
import ClipnetJSON
import HTTPTransport

/// Project environment variables (docs/platforms.md, "Custom environments on Vercel").
///
/// Standard targets (`production`, `preview`) are written with `target`; a custom environment
/// such as `staging` with `customEnvironmentIds` and never `target: preview`, because a `preview`
/// variable reaches every preview deployment of the project. Every variable written carries
/// `managedComment`, so a clean-up can tell the reconciler's variables from people's.
extension VercelDeployer {
    /// `managed by clipnet-reconciler (environment staging)`: the `comment` of every variable the
    /// reconciler writes.
    public var managedComment: String { "\(configuration.managedCommentPrefix) (environment \(configuration.target.environmentName))" }

    /// `GET /v10/projects/{id}/env`, keeping the variables this deployment's environment reads:
    /// those of the custom environment (asked with `customEnvironmentId`, and checked in
    /// `customEnvironmentIds`), or those whose `target` holds the standard target.
    /// Values are hashed only for type `plain`: the list returns `encrypted` values as ciphertext and
    /// `sensitive` ones not at all, so drift on those compares key, target and type.
    public func variables(of service: ServiceName) async throws -> [ObservedVariable] {
        try requireFrontend(service, "listEnv")
        let customID = try await customEnvironmentID()
        let envs = try await listEnv(customEnvironmentID: customID)
        let environment = configuration.target.environmentName
        return envs.compactMap { env -> ObservedVariable? in
            guard let key = env["key"]?.stringValue, env["gitBranch"]?.stringValue == nil else { return nil }
            let targets = Self.targets(of: env)
            if let customID {
                guard Self.customEnvironmentIDs(of: env).contains(customID) else { return nil }
            } else {
                guard let target = configuration.target.envTarget, targets.contains(target) else { return nil }
            }
            let type = env["type"]?.stringValue
            let value = type == "plain" ? env["value"]?.stringValue : nil
            return ObservedVariable(
                key: key, valueSHA256: value.map(VariableHash.sha256), type: type, targets: customID == nil ? targets : [environment],
                identifierFingerprints: value.flatMap { configuration.valueInspector?.fingerprints($0) } ?? [])
        }.sorted { $0.key < $1.key }
    }

    /// Writes `variables` to this deployment's environment without deploying (env changes apply
    /// to new deployments only).
    /// - Standard target: `POST /v10/projects/{id}/env?upsert=true` with `target`.
    /// - Custom environment: variables it already has are edited by id
    ///   (`PATCH /v9/projects/{id}/env/{envId}`) and the others created with
    ///   `customEnvironmentIds`. Whether `upsert=true` matches an existing variable by key within a
    ///   custom environment is UNCONFIRMED (it is documented by key and target), so it is not relied on.
    /// Every entry of a `failed` array is reported (keys and codes only) as `partialFailure`.
    public func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {
        try requireFrontend(service, "upsertEnv")
        guard !variables.isEmpty else { return }
        let secrets = variables.map(\.value)
        var toCreate = variables
        let scope: [String: JSONValue]
        if let customID = try await customEnvironmentID() {
            scope = ["customEnvironmentIds": [.string(customID)]]
            var existing: [String: String] = [:]
            for env in try await listEnv(customEnvironmentID: customID) where Self.customEnvironmentIDs(of: env).contains(customID) {
                if let key = env["key"]?.stringValue, let id = env["id"]?.stringValue, env["gitBranch"]?.stringValue == nil { existing[key] = id }
            }
            toCreate = []
            for variable in variables {
                guard let id = existing[variable.key] else {
                    toCreate.append(variable)
                    continue
                }
                var body = Self.envBody(variable, comment: managedComment)
                body["customEnvironmentIds"] = [.string(customID)]
                body["key"] = nil
                _ = try await call(
                    .patch, "/v9/projects/\(Self.encode(configuration.projectId))/env/\(Self.encode(id))", body: .object(body),
                    operation: "editEnv", secrets: secrets
                )
            }
        } else {
            scope = ["target": [.string(configuration.target.envTarget ?? "preview")]]
        }
        guard !toCreate.isEmpty else { return }
        let comment = managedComment
        let body = JSONValue.array(
            toCreate.map { variable in
                JSONValue.object(Self.envBody(variable, comment: comment).merging(scope) { _, new in new })
            })
        let json = try await call(
            .post, "/v10/projects/\(Self.encode(configuration.projectId))/env", query: [("upsert", "true")], body: body,
            operation: "upsertEnv", secrets: secrets
        )
        let failed = json["failed"]?.arrayValue ?? []
        guard failed.isEmpty else {
            let scrubber = transport.scrubber.adding(secrets)
            let items = failed.map { item -> String in
                let error = item["error"]
                return
                    "\(error?["key"]?.stringValue ?? "?") (\(error?["code"]?.stringValue ?? "error"): \(scrubber.scrub(error?["message"]?.stringValue ?? "")))"
            }
            throw DeployerError(
                .partialFailure, "\(failed.count) of \(toCreate.count) variables were not saved: \(items.joined(separator: "; "))",
                isRetryable: false, platform: .vercel, operation: "upsertEnv", httpStatus: 201
            )
        }
    }

    // MARK: Listing

    /// Every env object of the project (of one custom environment when `customEnvironmentID` is
    /// set), following `pagination.next` with `until` like the other Vercel lists. Whether this
    /// endpoint pages is UNCONFIRMED (its response has a `pagination` object), so every page is
    /// read while `next` is set, with a bound against a cursor that does not move.
    func listEnv(customEnvironmentID: String?) async throws -> [JSONValue] {
        var envs: [JSONValue] = []
        var ids: Set<String> = []
        var until: String?
        var cursors: Set<String> = []
        for _ in 0..<100 {
            var query: [(String, String)] = []
            if let customEnvironmentID { query.append(("customEnvironmentId", customEnvironmentID)) }
            if let until { query.append(("until", until)) }
            let json = try await call(.get, "/v10/projects/\(Self.encode(configuration.projectId))/env", query: query, operation: "listEnv")
            // One of {envs, pagination}, {envs} or a single env object (docs/platforms.md).
            let page = json["envs"]?.arrayValue ?? (json["key"] != nil ? [json] : [])
            for env in page {
                if let id = env["id"]?.stringValue, !ids.insert(id).inserted { continue }
                envs.append(env)
            }
            guard let next = json["pagination"]?["next"]?.numberValue else { break }
            let cursor = String(Int64(next))
            guard cursors.insert(cursor).inserted else { break }
            until = cursor
        }
        return envs
    }

    static func targets(of env: JSONValue) -> [String] {
        env["target"]?.arrayValue?.compactMap(\.stringValue) ?? env["target"]?.stringValue.map { [$0] } ?? []
    }

    static func customEnvironmentIDs(of env: JSONValue) -> [String] {
        env["customEnvironmentIds"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func envBody(_ variable: DesiredVariable, comment: String) -> [String: JSONValue] {
        [
            "key": .string(variable.key), "value": .string(variable.value),
            "type": variable.kind == .plain ? "plain" : "sensitive", "comment": .string(comment),
        ]
    }
}
