/// Where and how the Vercel client talks to Vercel for the frontend.
public struct VercelConfiguration: Sendable {
    /// Where Vercel deploys the build (`target` and custom environments, docs/platforms.md).
    public enum Target: Sendable, Hashable {
        /// No `target`: a preview deployment; env variables of target `preview` apply.
        case preview
        /// `target: "production"`, sent with `autoAssignCustomDomains: false` so the build is
        /// staged and only the reconciler moves domains.
        case production
        /// `target: "staging"` (the value Vercel documents): the custom environment `staging`.
        case staging
        /// `customEnvironmentSlugOrId`.
        case customEnvironment(String)

        /// The env-variable target whose variables this deployment reads, or nil for a custom
        /// environment: its variables are attached by `customEnvironmentIds` instead, never by
        /// `preview`, which every preview deployment of the project (each pull request) can read.
        var envTarget: String? {
            switch self {
            case .production: return "production"
            case .preview: return "preview"
            case .staging, .customEnvironment: return nil
            }
        }

        /// The custom environment's slug (or id) for `.staging` and `.customEnvironment`.
        public var customEnvironmentSlug: String? {
            switch self {
            case .staging: return "staging"
            case .customEnvironment(let slug): return slug
            case .preview, .production: return nil
            }
        }

        /// Whether a READY deployment of this target leaves the domains alone until the reconciler
        /// aliases them. Only `production` is documented to: it is created with
        /// `autoAssignCustomDomains: false`, Vercel's "staged" production build (what
        /// `vercel deploy --skip-domain` sends). For a custom environment (`staging`) whether that
        /// flag holds the environment's domains back is UNCONFIRMED, and a custom environment's
        /// domains follow its deployments, so its frontend is built only after the backend is
        /// verified, as before. A preview deployment made through the API would take no custom
        /// domain by Vercel's documentation (a preview branch's domain is applied by the Git
        /// integration only), but `preview` is the legacy staging target (its variables reach every
        /// pull request's preview) and keeps the sequential order rather than gain a new path.
        public var buildStaysOffDomains: Bool {
            switch self {
            case .production: true
            case .preview, .staging, .customEnvironment: false
            }
        }

        /// The environment's name as people say it: `production`, `preview` or the custom slug.
        public var environmentName: String {
            customEnvironmentSlug ?? envTarget ?? "preview"
        }
    }

    /// `https://api.vercel.com` by default; `VERCEL_API_URL` overrides it (tests, demo).
    public var baseURL: String
    /// A Vercel access token with access to the project's team (never logged).
    public var token: String
    /// The team owning the project; sent as `teamId` on every call when set.
    public var teamId: String?
    /// Project id (`prj_…`) or name.
    public var projectId: String
    /// The project name used as the deployment `name`.
    public var projectName: String
    /// The GitHub repository connected to the project.
    public var gitOrg: String
    public var gitRepo: String
    /// The branch the revisions come from (`gitSource.ref` is required even with a sha).
    public var gitRef: String
    /// The hostname the reconciler points at the deployment it wants live (`staging.clipnet.ai`).
    public var alias: String
    public var target: Target
    /// The `meta` key stamped with the rollout id.
    public var rolloutMetaKey: String
    public var transport: TransportConfiguration
    /// Marks the variables the reconciler writes (`comment`), so they can be told apart from
    /// variables people set; see `VercelDeployer.managedComment`.
    public var managedCommentPrefix: String = "managed by clipnet-reconciler"
    /// Derives fingerprints from variable values as they are read (isolation checks); nil: none.
    public var valueInspector: ValueInspector?

    public init(
        baseURL: String = "https://api.vercel.com", token: String, teamId: String? = nil, projectId: String, projectName: String,
        gitOrg: String, gitRepo: String, gitRef: String = "develop", alias: String, target: Target = .preview,
        rolloutMetaKey: String = "reconcilerRollout", transport: TransportConfiguration = TransportConfiguration()
    ) {
        self.baseURL = baseURL
        self.token = token
        self.teamId = teamId
        self.projectId = projectId
        self.projectName = projectName
        self.gitOrg = gitOrg
        self.gitRepo = gitRepo
        self.gitRef = gitRef
        self.alias = alias
        self.target = target
        self.rolloutMetaKey = rolloutMetaKey
        self.transport = transport
    }
}
