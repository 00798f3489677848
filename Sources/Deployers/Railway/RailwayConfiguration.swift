public import ClipnetContracts

/// Where and how the Railway client talks to Railway for the api and worker services.
public struct RailwayConfiguration: Sendable {
    /// A Railway token and the header it travels in (docs/platforms.md).
    public enum Token: Sendable {
        /// Account or workspace token: `Authorization: Bearer <token>`.
        case account(String)
        /// Project token (one environment of one project): `Project-Access-Token: <token>`.
        case project(String)

        public var value: String {
            switch self {
            case .account(let value), .project(let value): return value
            }
        }
    }

    /// What a service deploys from.
    public enum Source: Sendable, Hashable {
        /// A connected GitHub repository: deployed by commit sha.
        case git
        /// A container image: `repository:<versionTag>` is set as the source, then deployed.
        case image(repository: String)
    }

    public struct Service: Sendable, Hashable {
        public var serviceId: String
        public var source: Source

        public init(serviceId: String, source: Source = .git) {
            self.serviceId = serviceId
            self.source = source
        }
    }

    /// `https://backboard.railway.com` by default (`RAILWAY_API_URL` overrides it); the GraphQL
    /// endpoint is `<baseURL>/graphql/v2`. A URL that already ends in `/graphql/v2` is used as is.
    public var baseURL: String
    public var token: Token
    public var projectId: String
    public var environmentId: String
    /// The Railway services of `api` and `worker`.
    public var services: [ServiceName: Service]
    public var transport: TransportConfiguration
    /// How long Railway keeps a replaced deployment's image for rollback on the account's plan:
    /// 24 h Free, 72 h Hobby (the default), 120 h Pro, 360 h Enterprise, counted from when the
    /// deployment was replaced. Only used to estimate when `canRollback` will turn false.
    public var imageRetention: Duration = .seconds(72 * 3600)
    /// Derives fingerprints from variable values as they are read (isolation checks); nil: none.
    public var valueInspector: ValueInspector?

    public init(
        baseURL: String = "https://backboard.railway.com", token: Token, projectId: String, environmentId: String,
        services: [ServiceName: Service], transport: TransportConfiguration = TransportConfiguration()
    ) {
        self.baseURL = baseURL
        self.token = token
        self.projectId = projectId
        self.environmentId = environmentId
        self.services = services
        self.transport = transport
    }

    var endpoint: String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base.hasSuffix("/graphql/v2") ? base : base + "/graphql/v2"
    }
}
