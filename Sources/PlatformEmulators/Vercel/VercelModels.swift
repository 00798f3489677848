import Foundation

/// The emulated Vercel account's state: projects, deployments, aliases, environment variables,
/// known commits and platform faults. Mutated only under `VercelEmulator`'s lock.
struct VercelState: Sendable {
    struct Project: Sendable {
        var id: String
        var name: String
        var org: String
        var repo: String
        var repoId: Int
        var productionBranch: String
        var commandForIgnoringBuildStep: String?
        var envs: [EnvVar] = []
        var customEnvironments: [CustomEnvironment] = []
        var createdAt: Date
    }

    /// A custom environment (docs/platforms.md), e.g. `staging`.
    struct CustomEnvironment: Sendable {
        var id: String
        var slug: String
        var createdAt: Date
    }

    struct EnvVar: Sendable {
        var id: String
        var key: String
        var value: String
        var type: String
        var target: [String]
        var gitBranch: String?
        var customEnvironmentIds: [String]
        var comment: String?
        var createdAt: Date
        var updatedAt: Date
    }

    struct Deployment: Sendable {
        var id: String
        var url: String
        var name: String
        var projectId: String
        /// "production", "staging" or nil (preview).
        var target: String?
        var customEnvironment: String?
        var meta: [String: String]
        var gitType: String
        var org: String
        var repo: String
        var repoId: Int
        var ref: String
        var sha: String
        var createdAt: Date
        var plan: PhasePlan
        /// Set when cancelled: the status is then CANCELED from this time on.
        var canceledAt: Date?
        var autoAssignCustomDomains: Bool
        /// The custom environment's id when it deploys to one.
        var customEnvironmentId: String?
        /// The env variables the build received (key -> value): those of its target or custom
        /// environment when it was created.
        var environment: [String: String]
        /// Set when retention (or someone) deleted it: GET answers 410 `DEPLOYMENT_DELETED`.
        var deletedAt: Date?

        /// The status its plan ends in and when (nil while it builds for ever, or is blocked).
        var finished: (status: String, at: Date)? {
            plan.first(of: ["READY", "ERROR"]).map { ($0.status, createdAt.adding($0.offset)) }
        }

        func readyState(at now: Date) -> String {
            if deletedAt != nil { return "DELETED" }
            if canceledAt != nil { return "CANCELED" }
            return plan.status(after: createdAt.elapsed(until: now))
        }
    }

    struct Alias: Sendable {
        var uid: String
        var alias: String
        var deploymentId: String
        var projectId: String
        var created: Date
        var updatedAt: Date
    }

    var projects: [String: Project] = [:]
    var deployments: [Deployment] = []
    var aliases: [String: Alias] = [:]
    /// Commit sha -> branch, per "org/repo"; a gitSource naming another sha is rejected.
    var commits: [String: [String: String]] = [:]
    /// The latest registered commit per "org/repo" and branch: what a gitSource without `sha` builds.
    var branchHeads: [String: [String: String]] = [:]
    /// Platform faults: builds of these (project id or "*", sha) fail or hang.
    var failingBuilds: Set<FaultKey> = []
    /// Lines a build's output ends with, by commit sha (the rest is made up).
    var logTails: [String: [String]] = [:]
    var hangingBuilds: Set<FaultKey> = []
    /// Builds of these stop at BLOCKED (e.g. a deployment policy or check).
    var blockedBuilds: Set<FaultKey> = []
    /// The last `createdAt` given to an env variable: each is later than the one before, so the
    /// time cursor of the env list pages without ties.
    var lastEnvCreatedAt = Date.distantPast
    /// Env keys whose next upsert is reported in `failed`.
    var failingEnvKeys: Set<String> = []

    struct FaultKey: Hashable, Sendable {
        var project: String
        var sha: String
    }

    /// The next env variable creation time (strictly increasing).
    mutating func envCreationTime(_ now: Date) -> Date {
        let time = max(now, lastEnvCreatedAt.addingTimeInterval(0.001))
        lastEnvCreatedAt = time
        return time
    }

    /// The variables a new deployment of `project` receives: for a custom environment those
    /// attached to it by id, otherwise those whose target is `target` (`preview` when nil).
    func environment(of project: Project, target: String?, customEnvironmentId: String?, ref: String) -> [String: String] {
        var result: [String: String] = [:]
        for env in project.envs {
            if let customEnvironmentId {
                guard env.customEnvironmentIds.contains(customEnvironmentId) else { continue }
            } else {
                guard env.target.contains(target ?? "preview") else { continue }
                if let branch = env.gitBranch, branch != ref { continue }
            }
            // A branch-specific value wins over the general one.
            if result[env.key] == nil || env.gitBranch != nil { result[env.key] = env.value }
        }
        return result
    }

    func customEnvironment(_ slugOrId: String, in project: Project) -> CustomEnvironment? {
        project.customEnvironments.first { $0.id == slugOrId || $0.slug == slugOrId }
    }

    func project(_ idOrName: String) -> Project? {
        projects[idOrName] ?? projects.values.first { $0.name == idOrName }
    }

    func deployment(_ idOrUrl: String) -> Deployment? {
        let host = idOrUrl.replacingOccurrences(of: "https://", with: "")
        return deployments.first { $0.id == idOrUrl || $0.url == host }
    }

    func hasFault(_ set: Set<FaultKey>, project: Project, sha: String) -> Bool {
        set.contains(FaultKey(project: project.id, sha: sha)) || set.contains(FaultKey(project: project.name, sha: sha))
            || set.contains(FaultKey(project: "*", sha: sha))
    }
}
