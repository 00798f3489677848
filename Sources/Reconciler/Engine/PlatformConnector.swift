public import ClipnetConfig
import ClipnetContracts
public import Deployers
public import HTTPTransport
public import Logging
import Synchronization

/// Builds the platform clients for a manifest: the project and service ids come from the
/// manifest at the revision being worked on, the base URLs and tokens from the daemon.
///
/// Tokens are read from the daemon's environment once, at start-up, and never logged; a missing
/// token is reported when a pass first needs it, so `status` still works without one.
public struct PlatformConnector: Sendable {
    public var vercelBaseURL: String
    public var vercelToken: String?
    public var vercelTokenEnv: String
    public var railwayBaseURL: String
    public var railwayToken: RailwayConfiguration.Token?
    public var railwayTokenEnv: String
    /// The branch deployments are made from (`gitSource.ref` on Vercel).
    public var branch: String
    public var transport: TransportConfiguration
    public let client: HTTPClient
    public var logger: Logger
    /// Isolation fingerprints of live variable values, remembered across passes.
    let identifiers = IdentifierFingerprintCache()

    public init(
        vercelBaseURL: String, vercelToken: String?, vercelTokenEnv: String = "VERCEL_TOKEN",
        railwayBaseURL: String, railwayToken: RailwayConfiguration.Token?, railwayTokenEnv: String = "RAILWAY_TOKEN",
        branch: String, transport: TransportConfiguration = TransportConfiguration(), client: HTTPClient,
        logger: Logger = Logger(label: "clipnet.deployers")
    ) {
        self.vercelBaseURL = vercelBaseURL
        self.vercelToken = vercelToken
        self.vercelTokenEnv = vercelTokenEnv
        self.railwayBaseURL = railwayBaseURL
        self.railwayToken = railwayToken
        self.railwayTokenEnv = railwayTokenEnv
        self.branch = branch
        self.transport = transport
        self.client = client
        self.logger = logger
    }

    /// - Throws: `ReconcileError` (stalled) when a token is missing.
    public func platforms(for manifest: Manifest) throws -> Platforms {
        guard let vercelToken, !vercelToken.isEmpty else {
            throw ReconcileError.stalled(.missingToken, "the Vercel token is not set: export \(vercelTokenEnv) for the daemon")
        }
        guard let railwayToken, !railwayToken.value.isEmpty else {
            throw ReconcileError.stalled(.missingToken, "the Railway token is not set: export \(railwayTokenEnv) for the daemon")
        }
        let inspector = ValueInspector { [identifiers] in identifiers.fingerprints(of: $0) }
        let frontend = manifest.frontend
        let (org, repo) = Self.split(frontend.repository)
        var vercel = VercelConfiguration(
            baseURL: vercelBaseURL, token: vercelToken, teamId: frontend.teamId, projectId: frontend.projectId,
            projectName: frontend.projectName, gitOrg: org, gitRepo: repo, gitRef: branch, alias: frontend.domain,
            target: Self.vercelTarget(frontend.target), transport: transport)
        vercel.valueInspector = inspector
        let services = manifest.railway.services
        var railway = RailwayConfiguration(
            baseURL: railwayBaseURL, token: railwayToken, projectId: manifest.railway.projectId,
            environmentId: manifest.railway.environmentId,
            services: [
                .api: .init(serviceId: services.api.serviceId, source: Self.railwaySource(services.api.source)),
                .worker: .init(serviceId: services.worker.serviceId, source: Self.railwaySource(services.worker.source)),
            ],
            transport: transport)
        railway.valueInspector = inspector
        return Platforms(
            vercel: VercelDeployer(configuration: vercel, client: client, logger: logger),
            railway: RailwayDeployer(configuration: railway, client: client, logger: logger))
    }

    /// The manifest's `frontend.target`: Vercel's documented values, else a custom environment.
    static func vercelTarget(_ target: String?) -> VercelConfiguration.Target {
        switch target {
        case nil, "preview": .preview
        case "production": .production
        case "staging": .staging
        case let slug?: .customEnvironment(slug)
        }
    }

    static func railwaySource(_ source: ServiceSource) -> RailwayConfiguration.Source {
        switch source {
        case .repo: .git
        case .image(let repository): .image(repository: repository)
        }
    }

    static func split(_ repository: String) -> (String, String) {
        let parts = repository.split(separator: "/", maxSplits: 1).map(String.init)
        return (parts.first ?? repository, parts.count > 1 ? parts[1] : repository)
    }
}

/// The isolation check's fingerprints of live variable values, computed once per distinct value:
/// every pass reads every variable of every service, and values rarely change. Keyed by the
/// value's own SHA-256 fingerprint, so no value is kept; bounded, cleared when full.
final class IdentifierFingerprintCache: Sendable {
    private let entries = Mutex<[String: Set<String>]>([:])
    private let limit = 1024

    func fingerprints(of value: String) -> Set<String> {
        let key = Fingerprint.of(value)
        if let known = entries.withLock({ $0[key] }) { return known }
        let computed = IsolationFingerprints.identifierFingerprints(of: value)
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = computed
        }
        return computed
    }
}
