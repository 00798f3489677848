public import ClipnetContracts
public import Deployers
public import Foundation

/// Where a service's reported revision comes from, shown in status so on-call knows how much to
/// trust it.
public enum RevisionSource: String, Sendable, Codable {
    /// The API's own version endpoint.
    case versionEndpoint
    /// The worker heartbeats in Redis.
    case heartbeat
    /// The platform's record of the commit the deployment was built from (no version endpoint).
    case platform
}

/// One service as a pass saw it.
public struct ServiceObservation: Sendable, Equatable {
    public var service: ServiceName
    public var platform: Platform
    /// The deployment serving it (Vercel: the alias target; Railway: the newest SUCCESS one).
    public var deployment: ObservedDeployment?
    /// The revision the service reports itself, when `revisionSource` is not `platform`.
    public var reportedRevision: String?
    public var revisionSource: RevisionSource
    /// Nil when not checked (no health URL for the service).
    public var healthy: Bool?
    /// What could not be read, or other facts for people (never a secret).
    public var detail: String?

    /// The platform's record of what runs: the commit, else the image tag.
    public var platformRevision: String? { deployment?.commitSha ?? deployment?.imageTag }

    /// What the service runs, by the best source available.
    public var revision: String? { revisionSource == .platform ? platformRevision : (reportedRevision ?? platformRevision) }
}

/// What a pass learned about the platforms and the running services.
public struct Observation: Sendable {
    public var at: Date
    public var services: [ServiceName: ServiceObservation]
    /// Variables per service, values hashed; a service missing here could not be read.
    public var variables: [ServiceName: [ObservedVariable]]
    /// The Railway project (services and environments); nil when it could not be read.
    public var topology: PlatformTopology?
    public var autoDeploy: [ServiceName: AutoDeployState]
    /// The worker fleet from Redis; nil when not read.
    public var workers: WorkerFleet?
    /// Things that could not be read this pass (shown in status; never a secret).
    public var problems: [String]
    /// The environment's other resources as checked (`Inventory`): only full observations ask,
    /// so a drift check that relies on the last one carries these over.
    public var inventory: [StatusDocument.InventoryItem]

    public init(
        at: Date, services: [ServiceName: ServiceObservation], variables: [ServiceName: [ObservedVariable]] = [:],
        topology: PlatformTopology? = nil, autoDeploy: [ServiceName: AutoDeployState] = [:], workers: WorkerFleet? = nil,
        problems: [String] = [], inventory: [StatusDocument.InventoryItem] = []
    ) {
        self.at = at
        self.services = services
        self.variables = variables
        self.topology = topology
        self.autoDeploy = autoDeploy
        self.workers = workers
        self.problems = problems
        self.inventory = inventory
    }

    /// The deployment `staging.clipnet.ai` points at.
    public var aliasDeploymentID: String? { services[.frontend]?.deployment?.id.rawValue }
}
