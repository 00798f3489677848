import ClipnetJSON
import Foundation
import Synchronization

/// `GET /v9/projects/{idOrName}`, `GET /v10/projects/{idOrName}/env` and
/// `POST /v10/projects/{idOrName}/env?upsert=true` (docs/platforms.md).
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
        let allowed: Set<String> = [
            "teamId", "slug", "gitBranch", "decrypt", "source", "customEnvironmentId", "customEnvironmentSlug", "until", "limit",
        ]
        if let rejected = VercelError.checkQuery(request, allowed: allowed) { return rejected }
        let pageSize = configuration.envPageSize
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            var envs = project.envs.sorted { $0.createdAt > $1.createdAt }
            if let wanted = request.queryValue("customEnvironmentId") ?? request.queryValue("customEnvironmentSlug") {
                guard let environment = state.customEnvironment(wanted, in: project) else {
                    return VercelError.notFound("Custom environment not found")
                }
                envs = envs.filter { $0.customEnvironmentIds.contains(environment.id) }
            }
            // Pages newest first with the time cursor of the other Vercel lists: `until` is the
            // `pagination.next` of the page before.
            if let until = request.queryValue("until").flatMap(Int64.init) { envs = envs.filter { Self.ms($0.createdAt) < until } }
            let page = Array(envs.prefix(pageSize))
            let next: JSONValue = envs.count > page.count ? .number(Double(Self.ms(page.last!.createdAt))) : .null
            let items = page.map { env -> JSONValue in
                var object = Self.envJSON(env)
                // What the list returns (docs/platforms.md): plain values in clear, encrypted ones
                // as ciphertext (even with `decrypt`), sensitive ones never.
                switch env.type {
                case "plain": object["value"] = .string(env.value)
                case "sensitive":
                    object["value"] = ""
                    object["decrypted"] = false
                default:
                    object["value"] = .string("enc:" + Data(env.value.utf8.reversed()).base64EncodedString())
                    object["decrypted"] = false
                }
                return .object(object)
            }
            return .json(["envs": .array(items), "pagination": ["count": .number(Double(items.count)), "next": next, "prev": .null]])
        }
    }

    /// `PATCH /v9/projects/{idOrName}/env/{id}`: edits one variable (docs/platforms.md).
    func editEnv(_ request: EmulatorRequest, idOrName: String, envId: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug"]) { return rejected }
        guard let body = request.json?.objectValue else { return VercelError.badRequest("the body must be a JSON object.") }
        if let rejected = VercelError.checkObject(body, allowed: Self.envFields, required: []) { return rejected }
        if let type = body["type"]?.stringValue, !Self.envTypes.contains(type) {
            return VercelError.badRequest("`type` should be one of system, encrypted, plain, sensitive.")
        }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            guard let index = state.projects[project.id]!.envs.firstIndex(where: { $0.id == envId }) else {
                return VercelError.notFound("Environment variable not found")
            }
            var env = state.projects[project.id]!.envs[index]
            if let ids = body["customEnvironmentIds"]?.arrayValue?.compactMap(\.stringValue) {
                for id in ids where state.customEnvironment(id, in: project) == nil {
                    return VercelError.badRequest("custom environment \(id) does not exist.")
                }
                env.customEnvironmentIds = ids.compactMap { state.customEnvironment($0, in: project)?.id }
            }
            if let key = body["key"]?.stringValue { env.key = key }
            if let value = body["value"]?.stringValue { env.value = value }
            if let type = body["type"]?.stringValue { env.type = type }
            if let target = body["target"]?.arrayValue?.compactMap(\.stringValue) { env.target = target }
            if body["comment"] != nil { env.comment = body["comment"]?.stringValue }
            env.updatedAt = Date()
            state.projects[project.id]!.envs[index] = env
            return .json(.object(Self.envJSON(env)))
        }
    }

    /// `DELETE /v9/projects/{idOrName}/env/{id}`.
    func removeEnv(_ request: EmulatorRequest, idOrName: String, envId: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "customEnvironmentId"]) { return rejected }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            guard let index = state.projects[project.id]!.envs.firstIndex(where: { $0.id == envId }) else {
                return VercelError.notFound("Environment variable not found")
            }
            let env = state.projects[project.id]!.envs.remove(at: index)
            return .json(.object(Self.envJSON(env)))
        }
    }

    /// `GET /v9/projects/{idOrName}/custom-environments[/{slugOrId}]` (docs/platforms.md).
    func getCustomEnvironments(_ request: EmulatorRequest, idOrName: String, slugOrId: String?, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "gitBranch"]) { return rejected }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            func render(_ environment: VercelState.CustomEnvironment) -> JSONValue {
                [
                    "id": .string(environment.id), "slug": .string(environment.slug), "type": "preview", "description": "",
                    "branchMatcher": .null, "domains": [], "currentDeploymentAliases": [],
                    "createdAt": .milliseconds(environment.createdAt), "updatedAt": .milliseconds(environment.createdAt),
                ]
            }
            guard let slugOrId else { return .json(["environments": .array(project.customEnvironments.map(render))]) }
            guard let environment = state.customEnvironment(slugOrId, in: project) else {
                return VercelError.notFound("Custom environment not found")
            }
            return .json(render(environment))
        }
    }

    func upsertEnv(_ request: EmulatorRequest, idOrName: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "upsert"]) { return rejected }
        let upsert = request.queryValue("upsert") == "true"
        let single: Bool
        let items: [JSONValue]
        switch request.json {
        case .object?:
            single = true
            items = [request.json!]
        case .array(let array)?:
            single = false
            items = array
        default: return VercelError.badRequest("the body must be an object or an array.")
        }
        var validated: [(key: String, value: String, type: String, target: [String], gitBranch: String?, comment: String?, custom: [String])] = []
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
            let custom = object["customEnvironmentIds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !target.isEmpty || !custom.isEmpty else { return VercelError.badRequest("`\(path)target` or `customEnvironmentIds` is required.") }
            validated.append((key, value, type, target, object["gitBranch"]?.stringValue, object["comment"]?.stringValue, custom))
        }
        return state.withLock { state in
            guard inScope, let project = state.project(idOrName) else { return VercelError.notFound("Project not found") }
            var created: [JSONValue] = []
            var failed: [JSONValue] = []
            let now = Date()
            for item in validated {
                func fail(_ code: String, _ message: String) {
                    failed.append([
                        "error": [
                            "code": .string(code), "message": .string(message), "key": .string(item.key),
                            "target": .array(item.target.map { .string($0) }),
                        ]
                    ])
                }
                if state.failingEnvKeys.remove(item.key) != nil {
                    fail("env_var_fault", "The environment variable could not be saved")
                    continue
                }
                if item.type == "sensitive", item.target.contains("development") {
                    fail("invalid_sensitive_target", "Sensitive Environment Variables cannot be created in the Development Environment")
                    continue
                }
                guard item.custom.allSatisfy({ state.customEnvironment($0, in: project) != nil }) else {
                    fail("custom_environment_not_found", "A custom environment of `\(item.key)` does not exist")
                    continue
                }
                let customIds = item.custom.compactMap { state.customEnvironment($0, in: project)?.id }
                // The same key in an overlapping target, or in one of the same custom environments.
                let existing = state.projects[project.id]!.envs.firstIndex {
                    $0.key == item.key && $0.gitBranch == item.gitBranch
                        && (!Set($0.target).isDisjoint(with: item.target) || !Set($0.customEnvironmentIds).isDisjoint(with: customIds))
                }
                if let existing {
                    guard upsert else {
                        fail("ENV_ALREADY_EXISTS", "A variable with the name `\(item.key)` already exists for the target")
                        continue
                    }
                    state.projects[project.id]!.envs[existing].value = item.value
                    state.projects[project.id]!.envs[existing].type = item.type
                    state.projects[project.id]!.envs[existing].target = item.target
                    state.projects[project.id]!.envs[existing].customEnvironmentIds = customIds
                    state.projects[project.id]!.envs[existing].comment = item.comment
                    state.projects[project.id]!.envs[existing].updatedAt = now
                    created.append(.object(Self.envJSON(state.projects[project.id]!.envs[existing])))
                } else {
                    let time = state.envCreationTime(now)
                    let env = VercelState.EnvVar(
                        id: EmulatorIDs.prefixed("env_"), key: item.key, value: item.value, type: item.type, target: item.target,
                        gitBranch: item.gitBranch, customEnvironmentIds: customIds, comment: item.comment, createdAt: time, updatedAt: time
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
