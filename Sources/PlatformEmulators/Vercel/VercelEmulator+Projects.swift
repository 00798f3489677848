import Foundation
import ClipnetJSON

/// `GET /v9/projects/{idOrName}`, `GET /v10/projects/{idOrName}/env` and
/// `POST /v10/projects/{idOrName}/env?upsert=true` (platform-apis.md 1.6, 1.8).
extension VercelEmulator {
    static let envFields: Set<String> = ["key", "value", "type", "target", "gitBranch", "comment", "customEnvironmentIds"]
    static let envTypes: Set<String> = ["system", "encrypted", "plain", "sensitive"]
    static let envTargets: Set<String> = ["production", "preview", "development"]

    func getProject(_ request: EmulatorRequest, idOrName: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug"]) { return rejected }
        let now = Date()
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            let production = state.deployments.last { $0.projectId == project.id && $0.target == "production" && $0.readyState(at: now) == "READY" }
            return .json([
                "id": .string(project.id), "name": .string(project.name), "accountId": .string(configuration.teamId ?? "emulator-user"),
                "framework": "nextjs", "createdAt": .milliseconds(project.createdAt), "updatedAt": .milliseconds(project.createdAt),
                "commandForIgnoringBuildStep": .optional(project.commandForIgnoringBuildStep),
                "link": [
                    "type": "github", "org": .string(project.org), "repo": .string(project.repo),
                    "repoId": .number(Double(project.repoId)), "productionBranch": .string(project.productionBranch),
                ],
                "targets": production.map { ["production": ["id": .string($0.id), "url": .string($0.url)]] } ?? .object([:]),
                "gitProviderOptions": ["createDeployments": "enabled"],
            ])
        }
    }

    func listEnv(_ request: EmulatorRequest, idOrName: String, inScope: Bool) -> EmulatorResponse {
        let allowed: Set<String> = ["teamId", "slug", "gitBranch", "decrypt", "source", "customEnvironmentId", "customEnvironmentSlug"]
        if let rejected = VercelError.checkQuery(request, allowed: allowed) { return rejected }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            let envs = project.envs.map { env -> JSONValue in
                var object = Self.envJSON(env)
                // What the list returns (platform-apis.md 1.8): plain values in clear, encrypted ones
                // as ciphertext (even with `decrypt`), sensitive ones never.
                switch env.type {
                case "plain": object["value"] = .string(env.value)
                case "sensitive": object["value"] = ""; object["decrypted"] = false
                default: object["value"] = .string("enc:" + Data(env.value.utf8.reversed()).base64EncodedString()); object["decrypted"] = false
                }
                return .object(object)
            }
            return .json(["envs": .array(envs), "pagination": ["count": .number(Double(envs.count)), "next": .null, "prev": .null]])
        }
    }

    func upsertEnv(_ request: EmulatorRequest, idOrName: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "upsert"]) { return rejected }
        let upsert = request.queryValue("upsert") == "true"
        let single: Bool
        let items: [JSONValue]
        switch request.json {
        case .object?: single = true; items = [request.json!]
        case .array(let array)?: single = false; items = array
        default: return VercelError.badRequest("the body must be an object or an array.")
        }
        var validated: [(key: String, value: String, type: String, target: [String], gitBranch: String?, comment: String?)] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else { return VercelError.badRequest("`[\(index)]` should be object.") }
            let path = single ? "" : "[\(index)]"
            if let rejected = VercelError.checkObject(object, allowed: Self.envFields, required: ["key", "value", "type"], at: path) {
                return rejected
            }
            guard let key = object["key"]?.stringValue, let value = object["value"]?.stringValue,
                  let type = object["type"]?.stringValue, Self.envTypes.contains(type)
            else { return VercelError.badRequest("`\(path)key`, `value` should be string and `type` one of system, encrypted, plain, sensitive.") }
            let target: [String]
            switch object["target"] {
            case .string(let one)?: target = [one]
            case .array(let many)?: target = many.compactMap(\.stringValue)
            default:
                guard object["customEnvironmentIds"] != nil else { return VercelError.badRequest("missing required property `\(path)target`.") }
                target = []
            }
            guard target.allSatisfy(Self.envTargets.contains) else {
                return VercelError.badRequest("`\(path)target` should be one of production, preview, development.")
            }
            validated.append((key, value, type, target, object["gitBranch"]?.stringValue, object["comment"]?.stringValue))
        }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            var created: [JSONValue] = []
            var failed: [JSONValue] = []
            let now = Date()
            for item in validated {
                func fail(_ code: String, _ message: String) {
                    failed.append(["error": ["code": .string(code), "message": .string(message), "key": .string(item.key), "target": .array(item.target.map { .string($0) })]])
                }
                if state.failingEnvKeys.remove(item.key) != nil {
                    fail("env_var_fault", "The environment variable could not be saved")
                    continue
                }
                if item.type == "sensitive", item.target.contains("development") {
                    fail("invalid_sensitive_target", "Sensitive Environment Variables cannot be created in the Development Environment")
                    continue
                }
                let existing = state.projects[project.id]!.envs.firstIndex {
                    $0.key == item.key && !Set($0.target).isDisjoint(with: item.target) && $0.gitBranch == item.gitBranch
                }
                if let existing {
                    guard upsert else {
                        fail("ENV_ALREADY_EXISTS", "A variable with the name `\(item.key)` already exists for the target")
                        continue
                    }
                    state.projects[project.id]!.envs[existing].value = item.value
                    state.projects[project.id]!.envs[existing].type = item.type
                    state.projects[project.id]!.envs[existing].target = item.target
                    state.projects[project.id]!.envs[existing].comment = item.comment
                    state.projects[project.id]!.envs[existing].updatedAt = now
                    created.append(.object(Self.envJSON(state.projects[project.id]!.envs[existing])))
                } else {
                    let env = VercelState.EnvVar(
                        id: EmulatorIDs.prefixed("env_"), key: item.key, value: item.value, type: item.type, target: item.target,
                        gitBranch: item.gitBranch, customEnvironmentIds: [], comment: item.comment, createdAt: now, updatedAt: now
                    )
                    state.projects[project.id]!.envs.append(env)
                    created.append(.object(Self.envJSON(env)))
                }
            }
            let createdValue: JSONValue = single ? (created.first ?? .object([:])) : .array(created)
            return .json(["created": createdValue, "failed": .array(failed)], status: 201)
        }
    }

    /// An env object without its value (the caller decides what may be shown).
    static func envJSON(_ env: VercelState.EnvVar) -> [String: JSONValue] {
        [
            "id": .string(env.id), "key": .string(env.key), "type": .string(env.type),
            "target": .array(env.target.map { .string($0) }), "gitBranch": .optional(env.gitBranch),
            "customEnvironmentIds": .array(env.customEnvironmentIds.map { .string($0) }), "comment": .optional(env.comment),
            "createdAt": .milliseconds(env.createdAt), "updatedAt": .milliseconds(env.updatedAt),
            "visibility": env.type == "sensitive" ? "secret" : "config",
        ]
    }
}
