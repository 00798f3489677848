public import ClipnetContracts

/// The kinds of service the staging Railway project must contain, exactly one of each.
public enum PlatformServiceKind: String, Sendable, Codable, CaseIterable {
    case api
    case worker
    case redis
    case postgres
}

/// A variable as the manifest wants it: compared by SHA-256 fingerprint, never by value.
public struct ExpectedVariable: Sendable, Equatable {
    public let fingerprint: String
    /// Vercel sensitive variables cannot be read back: only their presence can be checked.
    public let valueReadable: Bool

    public init(fingerprint: String, valueReadable: Bool = true) {
        self.fingerprint = fingerprint
        self.valueReadable = valueReadable
    }
}

/// What should run, derived from the desired revision, the manifest and the known-good record.
public struct DesiredEnvironment: Sendable {
    /// Full commit id every service should run.
    public var revision: String
    /// The deployment the frontend domain should point at (the one this tool deployed or
    /// re-pointed to), when known.
    public var frontendDeploymentID: String?
    /// The domain, e.g. `staging.clipnet.ai`.
    public var domain: String
    /// Variables per service, by name.
    public var variables: [ServiceName: [String: ExpectedVariable]]
    /// The platform service ids the spec names, by kind (exactly one each is expected).
    public var topology: [PlatformServiceKind: String]
    /// Fingerprints of production's normalised identifiers (the isolation deny list).
    public var productionFingerprints: Set<String>
    /// Services this tool is changing right now (an in-flight rollout or re-point): their
    /// revision and alias are expected to differ, and are not drift.
    public var inFlight: Set<ServiceName>

    public init(
        revision: String, frontendDeploymentID: String? = nil, domain: String, variables: [ServiceName: [String: ExpectedVariable]] = [:],
        topology: [PlatformServiceKind: String] = [:], productionFingerprints: Set<String> = [], inFlight: Set<ServiceName> = []
    ) {
        self.revision = revision
        self.frontendDeploymentID = frontendDeploymentID
        self.domain = domain
        self.variables = variables
        self.topology = topology
        self.productionFingerprints = productionFingerprints
        self.inFlight = inFlight
    }
}
