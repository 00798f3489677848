import Foundation
import Synchronization

/// An in-memory Vercel REST API (platform-apis.md section 1): deployments from git commits with the
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

        public init(token: String, teamId: String? = nil, timings: Timings = Timings()) {
            self.token = token
            self.teamId = teamId
            self.timings = timings
        }
    }

    public let configuration: Configuration
    let state = Mutex(VercelState())
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

    /// Sets a project environment variable directly (as someone in the dashboard would).
    public func setEnv(project: String, key: String, value: String, type: String = "encrypted", target: [String] = ["production", "preview"]) {
        state.withLock { state in
            guard let id = state.project(project)?.id else { return }
            let now = Date()
            state.projects[id]!.envs.removeAll { $0.key == key && !Set($0.target).isDisjoint(with: target) }
            state.projects[id]!.envs.append(VercelState.EnvVar(
                id: EmulatorIDs.prefixed("env_"), key: key, value: value, type: type, target: target, gitBranch: nil,
                customEnvironmentIds: [], comment: nil, createdAt: now, updatedAt: now
            ))
        }
    }

    // MARK: Faults and drift

    /// Builds of `sha` in `project` (id or name; nil for any) end in ERROR.
    public func failBuild(sha: String, project: String? = nil) {
        state.withLock { _ = $0.failingBuilds.insert(.init(project: project ?? "*", sha: sha.lowercased())) }
    }

    /// Builds of `sha` stay BUILDING until cancelled.
    public func hangBuild(sha: String, project: String? = nil) {
        state.withLock { _ = $0.hangingBuilds.insert(.init(project: project ?? "*", sha: sha.lowercased())) }
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
            state.aliases[alias] = .init(uid: uid, alias: alias, deploymentId: deployment.id, projectId: deployment.projectId, created: created, updatedAt: now)
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

    /// The stored environment variables of a project as (key, value, type, target).
    public func envs(project: String) -> [(key: String, value: String, type: String, target: [String])] {
        state.withLock { $0.project(project)?.envs.map { ($0.key, $0.value, $0.type, $0.target) } ?? [] }
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
        return route(request, inScope: inScope)
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
        default:
            return VercelError.response(404, "not_found", "The requested path was not found")
        }
    }
}
