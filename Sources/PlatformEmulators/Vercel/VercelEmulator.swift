import ClipnetJSON
public import Foundation
import Synchronization

/// An in-memory Vercel REST API (docs/platforms.md): deployments from git commits with the
/// `QUEUED -> BUILDING -> READY | ERROR` lifecycle, aliases, project environment variables and
/// team scoping, checked the way the real API checks requests.
///
/// Start it with `start()` (or `EmulatorServer.start(EmulatorHost(platform: emulator), ...)`); the
/// Swift methods below and the admin endpoint (`POST /_emulator/...`, see `handleAdmin`) seed
/// commits and projects and inject faults.
public final class VercelEmulator: EmulatedPlatform {
    public struct Timings: Sendable {
        public var queued: Duration
        public var building: Duration

        public init(queued: Duration = .milliseconds(40), building: Duration = .milliseconds(120)) {
            self.queued = queued
            self.building = building
        }
    }

    public struct Configuration: Sendable {
        /// The bearer token the API accepts.
        public var token: String
        /// When set, projects belong to this team and requests must carry `teamId=<teamId>`.
        public var teamId: String?
        public var timings: Timings
        /// Env variables per page of `GET /v10/projects/{id}/env` (newest first, `until` cursor).
        public var envPageSize: Int

        public init(token: String, teamId: String? = nil, timings: Timings = Timings(), envPageSize: Int = 20) {
            self.token = token
            self.teamId = teamId
            self.timings = timings
            self.envPageSize = max(1, envPageSize)
        }
    }

    public let configuration: Configuration
    let state = Mutex(VercelState())
    let webhooks = WebhookOutbox()
    public var errorRenderer: any PlatformErrorRenderer { VercelErrorRenderer() }

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Starts serving on 127.0.0.1 (port 0).
    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self), name: "vercel-emulator")
    }

    // MARK: Seeding

    /// Creates a project linked to the GitHub repository `org/repo`.
    public func addProject(id: String, name: String, org: String, repo: String, repoId: Int = 1, productionBranch: String = "main") {
        state.withLock {
            $0.projects[id] = VercelState.Project(
                id: id, name: name, org: org, repo: repo, repoId: repoId, productionBranch: productionBranch, createdAt: Date()
            )
        }
    }

    /// Makes `sha` a commit of `org/repo` on `branch`, so deployments may name it.
    public func registerCommit(_ sha: String, branch: String, org: String, repo: String) {
        state.withLock {
            $0.commits["\(org)/\(repo)", default: [:]][sha.lowercased()] = branch
            $0.branchHeads["\(org)/\(repo)", default: [:]][branch] = sha.lowercased()
        }
    }

    /// Sets a project environment variable directly (as someone in the dashboard would, or as an
    /// earlier version of the reconciler did): for `target`, or for the custom environments named
    /// in `customEnvironments` (slugs or ids) when given.
    public func setEnv(
        project: String, key: String, value: String, type: String = "encrypted", target: [String] = ["production", "preview"],
        customEnvironments: [String] = [], comment: String? = nil
    ) {
        state.withLock { state in
            guard let project = state.project(project) else { return }
            let ids = customEnvironments.compactMap { state.customEnvironment($0, in: project)?.id }
            let target = ids.isEmpty ? target : []
            let created = state.envCreationTime(Date())
            state.projects[project.id]!.envs.removeAll {
                $0.key == key && (!Set($0.target).isDisjoint(with: target) || !Set($0.customEnvironmentIds).isDisjoint(with: ids))
            }
            state.projects[project.id]!.envs.append(
                VercelState.EnvVar(
                    id: EmulatorIDs.prefixed("env_"), key: key, value: value, type: type, target: target, gitBranch: nil,
                    customEnvironmentIds: ids, comment: comment, createdAt: created, updatedAt: created
                ))
        }
    }

    /// Creates a custom environment (e.g. `staging`) in `project`; returns its id.
    @discardableResult
    public func addCustomEnvironment(project: String, slug: String) -> String? {
        state.withLock { state in
            guard let project = state.project(project) else { return nil }
            if let existing = state.customEnvironment(slug, in: project) { return existing.id }
            let environment = VercelState.CustomEnvironment(id: EmulatorIDs.prefixed("env_custom_"), slug: slug, createdAt: Date())
            state.projects[project.id]!.customEnvironments.append(environment)
            return environment.id
        }
    }

    // MARK: Faults and drift

    /// Builds of `sha` in `project` (id or name; nil for any) end in ERROR.
    public func failBuild(sha: String, project: String? = nil) {
        state.withLock { _ = $0.failingBuilds.insert(.init(project: project ?? "*", sha: sha.lowercased())) }
    }

    /// The build output of `sha`'s deployments ends with `lines` (what a failing build printed; a
    /// test's secret canary).
    public func setLogTail(sha: String, _ lines: [String]) {
        state.withLock { $0.logTails[sha.lowercased()] = lines }
    }

    /// Builds of `sha` stay BUILDING until cancelled.
    public func hangBuild(sha: String, project: String? = nil) {
        state.withLock { _ = $0.hangingBuilds.insert(.init(project: project ?? "*", sha: sha.lowercased())) }
    }

    /// Builds of `sha` stop at BLOCKED (a deployment policy or check holds them).
    public func blockBuild(sha: String, project: String? = nil) {
        state.withLock { _ = $0.blockedBuilds.insert(.init(project: project ?? "*", sha: sha.lowercased())) }
    }

    /// Retention: the deployment is deleted (GET answers 410 `DEPLOYMENT_DELETED`, lists show it
    /// as DELETED, its aliases are removed). Returns false when there is no such deployment.
    @discardableResult
    public func expireDeployment(_ id: String) -> Bool {
        state.withLock { state in
            guard let index = state.deployments.firstIndex(where: { $0.id == id }) else { return false }
            state.deployments[index].deletedAt = Date()
            state.aliases = state.aliases.filter { $0.value.deploymentId != id }
            return true
        }
    }

    /// The next upsert of `key` is reported in the response's `failed` array.
    public func failEnvUpsert(key: String) {
        state.withLock { _ = $0.failingEnvKeys.insert(key) }
    }

    /// Drift: someone points `alias` at another deployment by hand.
    public func repointAlias(_ alias: String, to deploymentId: String) {
        state.withLock { state in
            guard let deployment = state.deployment(deploymentId) else { return }
            let now = Date()
            let uid = state.aliases[alias]?.uid ?? EmulatorIDs.prefixed("alias_")
            let created = state.aliases[alias]?.created ?? now
            state.aliases[alias] = .init(
                uid: uid, alias: alias, deploymentId: deployment.id, projectId: deployment.projectId, created: created, updatedAt: now)
        }
    }

    // MARK: Inspection for tests

    /// The deployment `alias` points at, if any.
    public func aliasTarget(_ alias: String) -> String? {
        state.withLock { $0.aliases[alias]?.deploymentId }
    }

    /// Every deployment as (id, sha, readyState, meta), oldest first.
    public func deployments() -> [(id: String, sha: String, readyState: String, meta: [String: String])] {
        let now = Date()
        return state.withLock { $0.deployments.map { ($0.id, $0.sha, $0.readyState(at: now), $0.meta) } }
    }

    /// When deployment `id` reached (or reaches) READY or ERROR by its plan: the platform's side
    /// of "how long did the controller take to notice" (the benchmarks).
    public func finishedAt(_ id: String) -> Date? {
        state.withLock { state in
            guard let deployment = state.deployments.first(where: { $0.id == id }) else { return nil }
            return deployment.finished?.at
        }
    }

    /// The stored environment variables of a project as (key, value, type, target).
    public func envs(project: String) -> [(key: String, value: String, type: String, target: [String])] {
        state.withLock { $0.project(project)?.envs.map { ($0.key, $0.value, $0.type, $0.target) } ?? [] }
    }

    /// The stored environment variables with where they apply and their comment.
    public func envDetails(project: String) -> [(key: String, target: [String], customEnvironments: [String], comment: String?)] {
        state.withLock { state in
            guard let project = state.project(project) else { return [] }
            return project.envs.map { env in
                let slugs = env.customEnvironmentIds.map { id in project.customEnvironments.first { $0.id == id }?.slug ?? id }
                return (env.key, env.target, slugs, env.comment)
            }
        }
    }

    /// The ids of the stored variables named `key`.
    public func envIDs(project: String, key: String) -> [String] {
        state.withLock { $0.project(project)?.envs.filter { $0.key == key }.map(\.id) ?? [] }
    }

    /// The variables deployment `id` was built with (key -> value), as the running app sees them.
    public func deploymentEnvironment(_ id: String) -> [String: String]? {
        state.withLock { $0.deployment(id)?.environment }
    }

    // MARK: EmulatedPlatform

    public func operationName(for request: EmulatorRequest) -> String? { nil }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard let authorization = request.header("authorization"), !authorization.isEmpty else {
            return VercelError.response(401, "forbidden", "The request is missing an authentication token", extra: ["missingToken": true])
        }
        guard authorization == "Bearer \(configuration.token)" else {
            return VercelError.response(403, "forbidden", "Not authorized", extra: ["invalidToken": true])
        }
        if let teamId = request.queryValue("teamId"), teamId != configuration.teamId {
            return VercelError.response(403, "forbidden", "Not authorized")
        }
        // Without teamId the personal scope is searched, where the team's resources do not exist.
        let inScope = configuration.teamId == nil || request.queryValue("teamId") == configuration.teamId
        let response = route(request, inScope: inScope)
        if request.method != "GET" { scheduleWebhooks() }
        return response
    }

    private func route(_ request: EmulatorRequest, inScope: Bool) -> EmulatorResponse {
        let s = request.pathSegments
        switch (request.method, s.count) {
        case ("POST", 2) where s == ["v13", "deployments"]:
            return createDeployment(request, inScope: inScope)
        case ("GET", 3) where s[0] == "v13" && s[1] == "deployments":
            return getDeployment(request, idOrUrl: s[2], inScope: inScope)
        case ("GET", 2) where (s[0] == "v7" || s[0] == "v6") && s[1] == "deployments":
            return listDeployments(request, inScope: inScope)
        case ("GET", 4) where s[0] == "v3" && s[1] == "deployments" && s[3] == "events":
            return deploymentEvents(request, idOrUrl: s[2], inScope: inScope)
        case ("PATCH", 4) where s[0] == "v12" && s[1] == "deployments" && s[3] == "cancel":
            return cancelDeployment(request, id: s[2], inScope: inScope)
        case ("POST", 4) where s[0] == "v2" && s[1] == "deployments" && s[3] == "aliases":
            return assignAlias(request, deploymentId: s[2], inScope: inScope)
        case ("GET", 3) where s[0] == "v4" && s[1] == "aliases":
            return getAlias(request, idOrAlias: s[2], inScope: inScope)
        case ("GET", 3) where s[0] == "v9" && s[1] == "projects":
            return getProject(request, idOrName: s[2], inScope: inScope)
        case ("GET", 4) where s[0] == "v10" && s[1] == "projects" && s[3] == "env":
            return listEnv(request, idOrName: s[2], inScope: inScope)
        case ("POST", 4) where s[0] == "v10" && s[1] == "projects" && s[3] == "env":
            return upsertEnv(request, idOrName: s[2], inScope: inScope)
        case ("PATCH", 5) where s[0] == "v9" && s[1] == "projects" && s[3] == "env":
            return editEnv(request, idOrName: s[2], envId: s[4], inScope: inScope)
        case ("DELETE", 5) where s[0] == "v9" && s[1] == "projects" && s[3] == "env":
            return removeEnv(request, idOrName: s[2], envId: s[4], inScope: inScope)
        case ("GET", 4) where s[0] == "v9" && s[1] == "projects" && s[3] == "custom-environments":
            return getCustomEnvironments(request, idOrName: s[2], slugOrId: nil, inScope: inScope)
        case ("GET", 5) where s[0] == "v9" && s[1] == "projects" && s[3] == "custom-environments":
            return getCustomEnvironments(request, idOrName: s[2], slugOrId: s[4], inScope: inScope)
        case ("DELETE", 3) where s[0] == "v13" && s[1] == "deployments":
            return deleteDeployment(request, id: s[2], inScope: inScope)
        default:
            return VercelError.response(404, "not_found", "The requested path was not found")
        }
    }
}
