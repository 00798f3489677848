public import ClipnetContracts
import Deployers
public import DriftDetector
public import GitWatch
public import KnownGoodStore

extension StatusDocument {
    /// The document of a daemon: the record, the branch, the last pass and what it observed.
    public init(
        environment: String, state: EnvironmentState, watch: WatchStatus, lastPass: PassReport?, observation: Observation?,
        drift: [Drift], policies: [DriftKind: DriftPolicy], leader: Bool, blockedBy: String?, lastPassGeneration: Int64? = nil
    ) {
        let services = ServiceName.allCases.map { name -> Service in
            guard let seen = observation?.services[name] else {
                return Service(
                    name: name.rawValue, platform: name.platform.rawValue, revision: nil, deploymentId: nil,
                    status: "unknown", healthy: nil, revisionSource: nil)
            }
            return Service(
                name: name.rawValue, platform: seen.platform.rawValue, revision: seen.revision, deploymentId: seen.deployment?.id.rawValue,
                status: seen.deployment?.rawStatus ?? "none", healthy: seen.healthy, revisionSource: seen.revisionSource.rawValue,
                detail: seen.detail)
        }
        self.init(
            environment: environment, state: state, watch: watch, lastPass: lastPass, services: services, drift: drift,
            policies: policies, leader: leader, lastPassGeneration: lastPassGeneration)
        workers = observation?.workers.map { fleet in
            Workers(
                live: fleet.workers.count, versions: fleet.versions.map { Workers.Version(version: $0.version, count: $0.count) },
                queueDepth: fleet.queueDepth, deadJobs: fleet.deadJobs)
        }
        self.blockedBy = blockedBy
        let problems = observation?.problems ?? []
        self.problems = problems.isEmpty ? nil : problems
        let inventory = observation?.inventory ?? []
        self.inventory = inventory.isEmpty ? nil : inventory
    }
}
