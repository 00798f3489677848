public import ClipnetContracts

/// A variable as a platform reports it, hashed by whoever read it.
public struct LiveVariable: Sendable, Equatable {
    /// SHA-256 of the value, or nil when the platform does not return values (Vercel sensitive).
    public let fingerprint: String?
    /// Fingerprints of the normalised identifiers the value contains (URLs, hosts, folders), made
    /// with the configuration module's normaliser, for the isolation check.
    public let identifierFingerprints: Set<String>

    public init(fingerprint: String?, identifierFingerprints: Set<String> = []) {
        self.fingerprint = fingerprint
        self.identifierFingerprints = identifierFingerprints
    }
}

/// What one deployed service runs, as its platform reports it.
public struct ObservedService: Sendable, Equatable {
    public let role: ServiceName
    /// The commit the live deployment was built from, if the platform reports one.
    public let revision: String?
    /// The version tag the service itself reports (API version endpoint, worker heartbeat), if any.
    public let versionTag: String?
    public let deploymentID: String?
    /// Whether the platform's own auto-deploy is on; nil when it cannot be read.
    public let autoDeploy: Bool?

    public init(role: ServiceName, revision: String?, versionTag: String? = nil, deploymentID: String?, autoDeploy: Bool? = nil) {
        self.role = role
        self.revision = revision
        self.versionTag = versionTag
        self.deploymentID = deploymentID
        self.autoDeploy = autoDeploy
    }
}

/// A service found in the platform project.
public struct ObservedPlatformService: Sendable, Equatable {
    public let id: String
    public let name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// What runs, as the platforms report it.
public struct ObservedEnvironment: Sendable {
    public var services: [ObservedService]
    /// The deployment the domain points at, or nil if it points nowhere.
    public var aliasDeploymentID: String?
    public var variables: [ServiceName: [String: LiveVariable]]
    /// Every service of the platform project (nil when topology was not read this pass).
    public var platformServices: [ObservedPlatformService]?

    public init(
        services: [ObservedService], aliasDeploymentID: String? = nil, variables: [ServiceName: [String: LiveVariable]] = [:],
        platformServices: [ObservedPlatformService]? = nil
    ) {
        self.services = services
        self.aliasDeploymentID = aliasDeploymentID
        self.variables = variables
        self.platformServices = platformServices
    }
}
