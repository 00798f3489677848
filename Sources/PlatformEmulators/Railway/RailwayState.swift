import Foundation
import ClipnetJSON

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
}
