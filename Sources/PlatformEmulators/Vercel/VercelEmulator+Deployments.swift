import ClipnetJSON
import Foundation
import Synchronization

/// `POST /v13/deployments`, `GET /v13/deployments/{idOrUrl}`, `GET /v7/deployments` (and `/v6`),
/// `PATCH /v12/deployments/{id}/cancel` (docs/platforms.md).
extension VercelEmulator {
    static let createFields: Set<String> = [
        "name", "project", "target", "customEnvironmentSlugOrId", "gitSource", "meta", "deploymentId", "withLatestCommit",
        "gitMetadata", "projectSettings", "files", "monorepoManager", "gitAccessToken", "autoAssignCustomDomains",
    ]
    static let gitSourceFields: Set<String> = ["type", "org", "repo", "ref", "sha", "repoId"]
    static let terminalFailures: Set<String> = ["ERROR", "CANCELED"]

    func createDeployment(_ request: EmulatorRequest, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "forceNew", "skipAutoDetectionConfirmation"]) {
            return rejected
        }
        guard let body = request.json?.objectValue else { return VercelError.badRequest("the body must be a JSON object.") }
        if let rejected = VercelError.checkObject(body, allowed: Self.createFields, required: ["name"]) { return rejected }
        guard let name = body["name"]?.stringValue else { return VercelError.badRequest("`name` should be string.") }
        if body["files"] != nil || body["deploymentId"] != nil {
            return VercelError.badRequest("the emulator supports git deployments (`gitSource`) only.")
        }
        guard let gitSource = body["gitSource"]?.objectValue else {
            return VercelError.response(400, "missing_files", "Missing files")
        }
        if let rejected = VercelError.checkObject(gitSource, allowed: Self.gitSourceFields, required: ["type", "ref"], at: "gitSource") {
            return rejected
        }
        guard gitSource["type"]?.stringValue == "github" else {
            return VercelError.badRequest("`gitSource.type` must be `github` in the emulator.")
        }
        var meta: [String: String] = [:]
        if let rawMeta = body["meta"] {
            guard let object = rawMeta.objectValue else { return VercelError.badRequest("`meta` should be object.") }
            for (key, value) in object {
                guard let string = value.stringValue else { return VercelError.badRequest("`meta.\(key)` should be string.") }
                meta[key] = string
            }
        }
        let target = body["target"]?.stringValue
        let autoAssign = body["autoAssignCustomDomains"]?.boolValue ?? true
        let forceNew = request.queryValue("forceNew") == "1"
        let timings = configuration.timings

        return state.withLock { state -> EmulatorResponse in
            let projectRef = body["project"]?.stringValue ?? name
            guard inScope, let project = state.project(projectRef) else {
                return VercelError.notFound("Project not found")
            }
            let repoKey = "\(project.org)/\(project.repo)"
            let namesRepo: Bool
            if let repoId = gitSource["repoId"] {
                namesRepo = repoId.numberValue.map { Int($0) } == project.repoId || repoId.stringValue == String(project.repoId)
            } else {
                namesRepo = gitSource["org"]?.stringValue == project.org && gitSource["repo"]?.stringValue == project.repo
            }
            let ref = gitSource["ref"]?.stringValue ?? ""
            guard namesRepo else {
                return VercelError.response(
                    400, "incorrect_git_source_info", "The provided GitHub repository does not match the project's repository.")
            }
            let sha: String
            if let given = gitSource["sha"]?.stringValue?.lowercased() {
                guard state.commits[repoKey]?[given] != nil else {
                    return VercelError.response(
                        400, "incorrect_git_source_info",
                        "The provided GitHub repository does not contain the requested branch or commit reference. Please ensure the repository is not empty."
                    )
                }
                sha = given
            } else {
                guard let head = state.branchHeads[repoKey]?[ref] else {
                    return VercelError.response(
                        400, "incorrect_git_source_info",
                        "The provided GitHub repository does not contain the requested branch or commit reference. Please ensure the repository is not empty."
                    )
                }
                sha = head
            }
            // `target`: "Either not defined, `staging`, `production`, or a custom environment
            // identifier"; `customEnvironmentSlugOrId` names one directly (docs/platforms.md).
            var customEnvironmentId: String?
            if let named = body["customEnvironmentSlugOrId"]?.stringValue ?? (target == "production" ? nil : target) {
                guard let environment = state.customEnvironment(named, in: project) else {
                    return VercelError.response(
                        400, "custom_environment_not_found", "The custom environment \(named) does not exist for this project.")
                }
                customEnvironmentId = environment.id
            }
            let now = Date()
            // UNCONFIRMED dedup rule (docs/platforms.md): without forceNew=1 a similar deployment
            // (same project, commit and target, not failed) is handed back instead of a new one.
            if !forceNew,
                let similar = state.deployments.last(where: {
                    $0.projectId == project.id && $0.sha == sha && $0.target == target && !Self.terminalFailures.contains($0.readyState(at: now))
                })
            {
                return .json(self.deploymentJSON(similar, state: state, now: now, withGitSource: true))
            }
            let plan: PhasePlan
            if state.hasFault(state.blockedBuilds, project: project, sha: sha) {
                plan = PhasePlan([.init("QUEUED", for: timings.queued), .init("BLOCKED", for: nil)])
            } else if state.hasFault(state.hangingBuilds, project: project, sha: sha) {
                plan = PhasePlan([.init("QUEUED", for: timings.queued), .init("BUILDING", for: nil)])
            } else {
                let outcome = state.hasFault(state.failingBuilds, project: project, sha: sha) ? "ERROR" : "READY"
                plan = PhasePlan([.init("QUEUED", for: timings.queued), .init("BUILDING", for: timings.building), .init(outcome, for: nil)])
            }
            let id = EmulatorIDs.prefixed("dpl_")
            let deployment = VercelState.Deployment(
                id: id, url: "\(project.name)-\(id.dropFirst(4).prefix(9)).vercel.app", name: project.name, projectId: project.id,
                target: target, customEnvironment: body["customEnvironmentSlugOrId"]?.stringValue, meta: meta,
                gitType: "github", org: project.org, repo: project.repo, repoId: project.repoId, ref: ref, sha: sha,
                createdAt: now, plan: plan, canceledAt: nil, autoAssignCustomDomains: autoAssign,
                customEnvironmentId: customEnvironmentId,
                environment: state.environment(of: project, target: target, customEnvironmentId: customEnvironmentId, ref: ref),
                deletedAt: nil
            )
            state.deployments.append(deployment)
            return .json(self.deploymentJSON(deployment, state: state, now: now, withGitSource: true))
        }
    }

    func getDeployment(_ request: EmulatorRequest, idOrUrl: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "withGitRepoInfo"]) { return rejected }
        let withGit = request.queryValue("withGitRepoInfo") == "true"
        return state.withLock { state in
            guard inScope, let deployment = state.deployment(idOrUrl) else { return VercelError.notFound("Deployment not found") }
            if deployment.deletedAt != nil { return VercelError.deleted() }
            return .json(self.deploymentJSON(deployment, state: state, now: Date(), withGitSource: withGit))
        }
    }

    func listDeployments(_ request: EmulatorRequest, inScope: Bool) -> EmulatorResponse {
        let allowed: Set<String> = [
            "projectId", "projectIds", "target", "state", "branch", "sha", "rollbackCandidate", "users", "app",
            "limit", "since", "until", "from", "to", "teamId", "slug",
        ]
        if let rejected = VercelError.checkQuery(request, allowed: allowed, allowMeta: true) { return rejected }
        let limit = Int(request.queryValue("limit") ?? "20") ?? -1
        guard (1...100).contains(limit) else { return VercelError.badRequest("`limit` should be <= 100.") }
        let now = Date()
        return state.withLock { state in
            var matches = inScope ? state.deployments.reversed() : []
            if let projectId = request.queryValue("projectId") {
                let id = state.project(projectId)?.id ?? projectId
                matches = matches.filter { $0.projectId == id }
            }
            if let sha = request.queryValue("sha") { matches = matches.filter { $0.sha == sha.lowercased() } }
            if let branch = request.queryValue("branch") { matches = matches.filter { $0.ref == branch } }
            if let target = request.queryValue("target") {
                matches = matches.filter { ($0.target ?? "preview") == target }
            }
            if let states = request.queryValue("state") {
                // UNCONFIRMED multi-value format: accepted as a comma-separated list.
                let wanted = Set(states.split(separator: ",").map(String.init))
                matches = matches.filter { wanted.contains($0.readyState(at: now)) }
            }
            for item in request.query where item.name.hasPrefix("meta-") {
                let key = String(item.name.dropFirst(5))
                matches = matches.filter { $0.meta[key] == item.value }
            }
            if let until = request.queryValue("until").flatMap(Int64.init) { matches = matches.filter { Self.ms($0.createdAt) < until } }
            if let since = request.queryValue("since").flatMap(Int64.init) { matches = matches.filter { Self.ms($0.createdAt) > since } }
            let page = Array(matches.prefix(limit))
            let next: JSONValue = matches.count > limit ? .number(Double(Self.ms(page.last!.createdAt))) : .null
            return .json([
                "deployments": .array(page.map { self.listItemJSON($0, state: state, now: now) }),
                "pagination": ["count": .number(Double(page.count)), "next": next, "prev": .null],
            ])
        }
    }

    func cancelDeployment(_ request: EmulatorRequest, id: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug"]) { return rejected }
        let now = Date()
        return state.withLock { state in
            guard inScope, let index = state.deployments.firstIndex(where: { $0.id == id }) else {
                return VercelError.notFound("Deployment not found")
            }
            guard ["QUEUED", "INITIALIZING", "BUILDING"].contains(state.deployments[index].readyState(at: now)) else {
                return VercelError.badRequest("the deployment cannot be canceled in its current state.")
            }
            state.deployments[index].canceledAt = now
            return .json(self.deploymentJSON(state.deployments[index], state: state, now: now, withGitSource: false))
        }
    }

    /// `DELETE /v13/deployments/{id}` (what retention does on its own, docs/platforms.md).
    func deleteDeployment(_ request: EmulatorRequest, id: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "url"]) { return rejected }
        return state.withLock { state in
            guard inScope, let index = state.deployments.firstIndex(where: { $0.id == id }) else {
                return VercelError.notFound("Deployment not found")
            }
            if state.deployments[index].deletedAt != nil { return VercelError.deleted() }
            state.deployments[index].deletedAt = Date()
            state.aliases = state.aliases.filter { $0.value.deploymentId != id }
            return .json(["uid": .string(id), "state": "DELETED"])
        }
    }

    // MARK: Rendering

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    private func times(_ d: VercelState.Deployment, _ readyState: String) -> (building: JSONValue, ready: JSONValue) {
        let buildingStart = d.plan.start(of: "BUILDING").map { JSONValue.milliseconds(d.createdAt.adding($0)) } ?? .null
        let readyStart = d.plan.start(of: readyState).map { JSONValue.milliseconds(d.createdAt.adding($0)) } ?? .null
        let building: JSONValue = readyState == "QUEUED" ? .null : buildingStart
        return (building, readyState == "READY" ? readyStart : .null)
    }

    func deploymentJSON(_ d: VercelState.Deployment, state: VercelState, now: Date, withGitSource: Bool) -> JSONValue {
        let readyState = d.readyState(at: now)
        let aliases = state.aliases.values.filter { $0.deploymentId == d.id }.map(\.alias).sorted()
        let (buildingAt, ready) = times(d, readyState)
        var object: [String: JSONValue] = [
            "id": .string(d.id), "url": .string(d.url), "name": .string(d.name), "projectId": .string(d.projectId),
            "createdAt": .milliseconds(d.createdAt), "buildingAt": buildingAt, "ready": ready,
            "readyState": .string(readyState), "status": .string(readyState),
            "target": .optional(d.target), "meta": .object(d.meta.mapValues { .string($0) }),
            "alias": .array(aliases.map { .string($0) }), "aliasAssigned": .bool(!aliases.isEmpty), "aliasError": .null,
            "source": "api-trigger-git-deploy", "type": "LAMBDAS", "version": 2,
            "inspectorUrl": .string("https://vercel.com/emulator/\(d.name)/\(d.id)"),
            "autoAssignCustomDomains": .bool(d.autoAssignCustomDomains),
            "customEnvironment": d.customEnvironment.map { ["slug": .string($0)] } ?? .null,
            "canceledAt": d.canceledAt.map { JSONValue.milliseconds($0) } ?? .null,
        ]
        if readyState == "READY" { object["readySubstate"] = aliases.isEmpty ? "STAGED" : "PROMOTED" }
        if readyState == "ERROR" {
            object["errorCode"] = "BUILD_FAILED"
            object["errorMessage"] = "Command \"npm run build\" exited with 1"
            object["errorStep"] = "build"
            object["buildErrorAt"] = d.plan.start(of: "ERROR").map { JSONValue.milliseconds(d.createdAt.adding($0)) } ?? .null
        }
        if withGitSource {
            object["gitSource"] = [
                "type": .string(d.gitType), "org": .string(d.org), "repo": .string(d.repo), "ref": .string(d.ref), "sha": .string(d.sha),
            ]
        }
        return .object(object)
    }

    func listItemJSON(_ d: VercelState.Deployment, state: VercelState, now: Date) -> JSONValue {
        let readyState = d.readyState(at: now)
        let aliased = state.aliases.values.contains { $0.deploymentId == d.id }
        let (buildingAt, ready) = times(d, readyState)
        var object: [String: JSONValue] = [
            "uid": .string(d.id), "name": .string(d.name), "url": .string(d.url), "projectId": .string(d.projectId),
            "created": .milliseconds(d.createdAt), "createdAt": .milliseconds(d.createdAt), "buildingAt": buildingAt, "ready": ready,
            "readyState": .string(readyState), "state": .string(readyState), "target": .optional(d.target),
            "meta": .object(d.meta.mapValues { .string($0) }), "source": "api-trigger-git-deploy",
            "aliasAssigned": .bool(aliased), "aliasError": .null, "isRollbackCandidate": .bool(readyState == "READY" && aliased),
            "inspectorUrl": .string("https://vercel.com/emulator/\(d.name)/\(d.id)"), "creator": ["uid": "emulator-user"],
        ]
        if readyState == "READY" { object["readySubstate"] = aliased ? "PROMOTED" : "STAGED" }
        return .object(object)
    }
}

extension VercelEmulator {
    /// `GET /v3/deployments/{idOrUrl}/events` (docs/platforms.md): the build output as events
    /// `{type, created, payload: {text, deploymentId, date}}`, `direction=backward` newest first,
    /// at most `limit`. A failed build ends with its error (or the tail set by `setLogTail`).
    func deploymentEvents(_ request: EmulatorRequest, idOrUrl: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(
            request, allowed: ["teamId", "slug", "direction", "follow", "limit", "name", "since", "until", "statusCode", "delimiter", "builds"])
        {
            return rejected
        }
        let now = Date()
        return state.withLock { state in
            guard inScope, let deployment = state.deployment(idOrUrl) else { return VercelError.notFound("Deployment not found") }
            let readyState = deployment.readyState(at: now)
            var lines: [(type: String, text: String)] = [
                ("command", "Running \"vercel build\""),
                ("stdout", "Cloning github.com/\(deployment.org)/\(deployment.repo) (\(deployment.sha.prefix(7)))"),
                ("stdout", "Installing dependencies..."), ("command", "Running \"npm run build\""),
            ]
            if readyState == "ERROR" {
                lines += (state.logTails[deployment.sha] ?? ["Error: Command \"npm run build\" exited with 1"]).map { ("stderr", $0) }
            } else if readyState == "READY" {
                lines.append(("stdout", "Build Completed in /vercel/output"))
            }
            let created = JSONValue.milliseconds(deployment.createdAt)
            var events: [JSONValue] = lines.map { line in
                [
                    "type": .string(line.type), "created": created,
                    "payload": ["text": .string(line.text), "deploymentId": .string(deployment.id), "date": created],
                ]
            }
            if request.queryValue("direction") == "backward" { events.reverse() }
            if let limit = request.queryValue("limit").flatMap(Int.init), limit >= 0 { events = Array(events.prefix(limit)) }
            return .json(.array(events))
        }
    }
}
