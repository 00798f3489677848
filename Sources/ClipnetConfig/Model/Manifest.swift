/// One environment's desired state, layered (`deploy/base.yaml` under `deploy/<environment>.yaml`)
/// and validated. Secrets appear only as references; `ResolvedManifest` adds their values.
public struct Manifest: Sendable, Hashable, Encodable {
    public var version: Int
    public var environment: String
    public var frontend: FrontendSpec
    public var railway: RailwaySpec
    public var cloudinary: CloudinarySpec
    public var runpod: RunPodSpec
    /// OAuth clients by name (`clipbot`).
    public var oauth: [String: OAuthClientSpec]
    public var drift: DriftPolicies
    public var rollout: RolloutSettings

    /// Every secret reference of the manifest with its dotted path, in a stable order.
    public var secretReferences: [(path: String, reference: SecretReference)] {
        valueSites.compactMap { site in site.value.secretReference.map { (site.path, $0) } }
    }

    /// Every value the manifest sets that could name an external resource, with its dotted path:
    /// what the isolation policy inspects.
    public var valueSites: [(path: String, value: ConfigValue)] {
        var sites: [(String, ConfigValue)] = [
            ("frontend.domain", .plain(frontend.domain)),
            ("railway.services.api.url", .plain(railway.services.api.url)),
            ("railway.services.api.healthUrl", .plain(railway.services.api.healthUrl)),
            ("railway.services.api.versionUrl", .plain(railway.services.api.versionUrl)),
            ("railway.redis.url", .secret(railway.redis.url)),
            ("railway.postgres.url", .secret(railway.postgres.url)),
            ("cloudinary.folder", .plain(cloudinary.folder)),
            ("runpod.namespace", .plain(runpod.namespace)),
        ]
        for (name, path) in runpod.models.sorted(by: { $0.key < $1.key }) {
            sites.append(("runpod.models.\(name)", .plain(path)))
        }
        for (name, client) in oauth.sorted(by: { $0.key < $1.key }) {
            sites.append(("oauth.\(name).clientId", client.clientId))
            sites.append(("oauth.\(name).clientSecret", .secret(client.clientSecret)))
        }
        for (prefix, variables) in [
            ("frontend.variables", frontend.variables),
            ("railway.services.api.variables", railway.services.api.variables),
            ("railway.services.worker.variables", railway.services.worker.variables),
        ] {
            for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
                sites.append(("\(prefix).\(name)", value))
            }
        }
        return sites
    }
}

/// The Vercel project serving the frontend.
public struct FrontendSpec: Sendable, Hashable, Encodable {
    public var teamId: String?
    public var projectId: String
    public var projectName: String
    /// The domain pointed at each new deployment (`staging.clipnet.ai`).
    public var domain: String
    /// The Vercel target or custom environment slug; nil leaves it to the deployer.
    public var target: String?
    /// `owner/name` on GitHub.
    public var repository: String
    public var rootDirectory: String?
    public var variables: [String: ConfigValue]
}

/// The Railway project and environment holding the API, the worker, Redis and PostgreSQL.
public struct RailwaySpec: Sendable, Hashable, Encodable {
    public var projectId: String
    public var environmentId: String
    public var services: RailwayServices
    public var redis: RailwayDatabase
    public var postgres: RailwayDatabase
}

/// The two services deployed together at one version tag.
public struct RailwayServices: Sendable, Hashable, Encodable {
    public var api: APIServiceSpec
    public var worker: WorkerServiceSpec
}

public struct APIServiceSpec: Sendable, Hashable, Encodable {
    public var serviceId: String
    public var source: ServiceSource
    /// The public base URL; what "the production API URL" means to the isolation policy.
    public var url: String
    public var healthUrl: String
    public var versionUrl: String
    /// Railway's own deploy-on-push; false because the reconciler deploys.
    public var autoDeploy: Bool
    public var variables: [String: ConfigValue]
}

public struct WorkerServiceSpec: Sendable, Hashable, Encodable {
    public var serviceId: String
    public var source: ServiceSource
    public var autoDeploy: Bool
    public var variables: [String: ConfigValue]
}

/// Where a Railway service is built from.
public enum ServiceSource: Sendable, Hashable, Encodable {
    /// A GitHub repository (`owner/name`) built at the revision, optionally from a subdirectory.
    case repo(String, rootDirectory: String?)
    /// An image repository; the tag deployed is the revision, the same for API and worker.
    case image(String)

    private enum CodingKeys: String, CodingKey { case repo, rootDirectory, image }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .repo(let repo, let rootDirectory):
            try container.encode(repo, forKey: .repo)
            try container.encodeIfPresent(rootDirectory, forKey: .rootDirectory)
        case .image(let image):
            try container.encode(image, forKey: .image)
        }
    }
}

/// A Railway database service; its URL holds a password, so it is only ever a secret reference.
public struct RailwayDatabase: Sendable, Hashable, Encodable {
    public var serviceId: String
    public var url: SecretReference
}

public struct CloudinarySpec: Sendable, Hashable, Encodable {
    public var cloudName: String
    /// `staging_clips/` or `prod_clips/`; always ends with `/`.
    public var folder: String
}

/// The RunPod endpoint is shared; the namespace and model paths keep the environments apart.
public struct RunPodSpec: Sendable, Hashable, Encodable {
    public var endpointId: String
    public var namespace: String
    public var models: [String: String]
}

public struct OAuthClientSpec: Sendable, Hashable, Encodable {
    public var clientId: ConfigValue
    public var clientSecret: SecretReference
}

public struct RolloutSettings: Sendable, Hashable, Encodable {
    public var deployTimeoutSeconds: Int
    public var healthWindowSeconds: Int
    public var healthIntervalSeconds: Int
}
