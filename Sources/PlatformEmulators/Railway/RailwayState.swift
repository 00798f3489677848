import ClipnetJSON
import Foundation

/// The emulated Railway workspace: projects, environments, services and their instances,
/// deployments, variables, known commits and platform faults. Mutated only under
/// `RailwayEmulator`'s lock.
struct RailwayState: Sendable {
    struct Project: Sendable {
        var id: String
        var name: String
        var environments: [(id: String, name: String)]
        var services: [(id: String, name: String)]
        var createdAt: Date
    }

    struct InstanceKey: Hashable, Sendable {
        var serviceId: String
        var environmentId: String
    }

    struct Instance: Sendable {
        var projectId: String
        /// "org/repo" for git services; nil for image services.
        var repo: String?
        var branch: String
        /// `registry/name:tag` for image services.
        var image: String?
        var autoDeploy: Bool
        var variables: [String: String] = [:]
    }

    struct Deployment: Sendable {
        var id: String
        var projectId: String
        var environmentId: String
        var serviceId: String
        var createdAt: Date
        var plan: PhasePlan
        var meta: [String: JSONValue]
        /// The service variables this deployment runs with; a rollback restores them.
        var variables: [String: String]
        var canceledAt: Date?
        var key: InstanceKey { InstanceKey(serviceId: serviceId, environmentId: environmentId) }

        /// The status its plan ends in and when (nil while it builds for ever).
        var finished: (status: String, at: Date)? {
            plan.first(of: ["SUCCESS", "FAILED", "CRASHED"]).map { ($0.status, createdAt.adding($0.offset)) }
        }

        /// When it became (or becomes) SUCCESS, if its plan reaches it.
        var successAt: Date? { plan.start(of: "SUCCESS").map { createdAt.adding($0) } }
    }

    struct FaultKey: Hashable, Sendable {
        /// Service id or "*".
        var service: String
        /// Commit sha or image reference.
        var revision: String
    }

    var projects: [String: Project] = [:]
    var instances: [InstanceKey: Instance] = [:]
    var sharedVariables: [String: [String: String]] = [:]
    var deployments: [Deployment] = []
    /// Commit sha -> branch, per "org/repo".
    var commits: [String: [String: String]] = [:]
    var branchHeads: [String: [String: String]] = [:]
    var failingBuilds: Set<FaultKey> = []
    /// Lines a build or runtime log of a revision ends with (a failing build's error, a secret a
    /// build printed), by revision; the rest of each log is made up.
    var logTails: [String: [String]] = [:]
    var hangingBuilds: Set<FaultKey> = []
    /// Deployments of these crash: after the given delay once SUCCESS, or during DEPLOYING when nil.
    var crashingDeploys: [FaultKey: Duration?] = [:]

    func project(ofService serviceId: String) -> Project? {
        projects.values.first { $0.services.contains { $0.id == serviceId } }
    }

    func fault<V>(_ table: [FaultKey: V], service: String, revision: String) -> V? {
        table[FaultKey(service: service, revision: revision)] ?? table[FaultKey(service: "*", revision: revision)]
    }

    func has(_ set: Set<FaultKey>, service: String, revision: String) -> Bool {
        set.contains(FaultKey(service: service, revision: revision)) || set.contains(FaultKey(service: "*", revision: revision))
    }

    /// The status now: the plan's, except that a cancelled deployment is REMOVED and an active one
    /// becomes REMOVED once a newer deployment of the same service instance reaches SUCCESS.
    func status(of deployment: Deployment, at now: Date) -> String {
        if let canceled = deployment.canceledAt, canceled <= now { return "REMOVED" }
        let base = deployment.plan.status(after: deployment.createdAt.elapsed(until: now))
        if ["FAILED", "SKIPPED"].contains(base) { return base }
        let superseded = deployments.contains { newer in
            newer.key == deployment.key && newer.createdAt > deployment.createdAt && newer.canceledAt == nil
                && (newer.successAt.map { $0 <= now } ?? false)
        }
        return superseded ? "REMOVED" : base
    }

    /// Whether the deployment reached SUCCESS at some point (Railway keeps its image for rollback).
    func everSucceeded(_ deployment: Deployment, at now: Date) -> Bool {
        guard deployment.canceledAt == nil, let success = deployment.successAt else { return false }
        return success <= now
    }

    /// When a newer deployment of the same instance replaced it (reached SUCCESS), if one has.
    func replacedAt(_ deployment: Deployment, at now: Date) -> Date? {
        deployments.compactMap { newer -> Date? in
            guard newer.key == deployment.key, newer.createdAt > deployment.createdAt, newer.canceledAt == nil,
                let success = newer.successAt, success <= now
            else { return nil }
            return success
        }.min()
    }

    /// `canRollback`: it succeeded once and its image is still kept, which is `retention` counted
    /// from when it was replaced (docs/platforms.md).
    func canRollback(_ deployment: Deployment, at now: Date, retention: Duration) -> Bool {
        guard everSucceeded(deployment, at: now) else { return false }
        guard let replaced = replacedAt(deployment, at: now) else { return true }
        return replaced.adding(retention) > now
    }

    /// When the current status began (`statusUpdatedAt`).
    func statusChangedAt(_ deployment: Deployment, at now: Date) -> Date {
        if let canceled = deployment.canceledAt, canceled <= now { return canceled }
        let status = self.status(of: deployment, at: now)
        if status == "REMOVED", let replaced = replacedAt(deployment, at: now) { return replaced }
        return deployment.plan.start(of: status).map { deployment.createdAt.adding($0) } ?? deployment.createdAt
    }

    /// An opaque token over everything configured in `environmentId` (variables, sources,
    /// auto-deploy): it changes when the configuration changes and not otherwise.
    func configEtag(environmentId: String, projectId: String) -> String {
        var parts: [String] = []
        for (key, instance) in instances where key.environmentId == environmentId && instance.projectId == projectId {
            let variables = instance.variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
            parts.append("\(key.serviceId)|\(instance.repo ?? "")|\(instance.image ?? "")|\(instance.branch)|\(instance.autoDeploy)|\(variables)")
        }
        let shared = (sharedVariables["\(projectId)/\(environmentId)"] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        parts.append("shared|" + shared.joined(separator: "\u{1}"))
        // FNV-1a: stable across runs, unlike Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.sorted().joined(separator: "\u{2}").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
