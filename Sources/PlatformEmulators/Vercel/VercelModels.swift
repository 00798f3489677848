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

        func readyState(at now: Date) -> String {
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
    var hangingBuilds: Set<FaultKey> = []
    /// Env keys whose next upsert is reported in `failed`.
    var failingEnvKeys: Set<String> = []

    struct FaultKey: Hashable, Sendable {
        var project: String
        var sha: String
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
