/// The daemon's own settings (`reconciler run --config FILE`): what to watch, where state lives,
/// where to listen, which platform APIs to call and which environment variables hold the tokens.
/// Tokens and secrets are never in this file, only the names of the variables that hold them.
///
/// The environment's deployment settings (projects, services, variables) are not here: they are
/// in the manifests, read from the repository at each revision.
public struct DaemonConfiguration: Sendable, Hashable {
    public struct Repository: Sendable, Hashable {
        /// https, ssh, `file://` or a local path.
        public var url: String
        public var branch: String
        /// The manifest folder inside the repository (`deploy`).
        public var manifestDirectory: String
        public var pollInterval: Duration
        /// The environment variable holding an https token for the repository, if it needs one.
        public var tokenEnv: String?
        /// An ssh private key file, for ssh URLs (otherwise the ssh agent is used).
        public var sshKeyPath: String?
        /// Tags that mark a build for the environment (`staging/*`): the newest marked commit is
        /// followed instead of the branch head (a pin still wins); nil: the branch head only.
        public var markTags: String? = nil
    }

    /// A platform's API: its base URL and the environment variable holding its token.
    public struct PlatformAPI: Sendable, Hashable {
        public var baseURL: String
        public var tokenEnv: String
        /// The plan's request budget per hour (Railway Hobby: 1,000; Pro: 10,000), or nil where the
        /// platform publishes none as one number (Vercel limits each endpoint). Near it, polling
        /// is stretched (docs/platforms.md, "Request budget").
        public var requestsPerHour: Int?
        /// The environment variable holding the secret of the platform's deployment webhooks
        /// (Vercel: the signing secret; Railway: a token the webhook URL carries). Unset or empty
        /// in the environment: the endpoint refuses, and polling alone notices changes.
        public var webhookSecretEnv: String

        public init(baseURL: String, tokenEnv: String, requestsPerHour: Int? = nil, webhookSecretEnv: String) {
            self.baseURL = baseURL
            self.tokenEnv = tokenEnv
            self.requestsPerHour = requestsPerHour
            self.webhookSecretEnv = webhookSecretEnv
        }
    }

    /// How a Railway token is sent (docs/platforms.md, "What an operator must set up").
    public enum RailwayTokenKind: String, Sendable, Hashable, CaseIterable {
        /// Account or workspace token: `Authorization: Bearer`.
        case account
        /// Project token: `Project-Access-Token`.
        case project
    }

    /// Where the worker's running version is read from when verifying a rollout.
    public enum WorkerVersionSource: String, Sendable, Hashable, CaseIterable {
        /// The worker heartbeats in the environment's Redis (`clipnet:<env>:workers:<id>`).
        case heartbeat
        /// The platform's record of the commit the worker deployment was built from.
        case platform
    }

    /// What a re-point does when its record's deployments are no longer rollback-ready.
    public enum ExpiredRollback: String, Sendable, Hashable, CaseIterable {
        /// Build the record's commit again (a build rollout, with its variables), and say so.
        case rebuild
        /// Stop with a clear reason; a person decides.
        case stall
    }

    public struct Reconcile: Sendable, Hashable {
        /// Time between drift checks when nothing else triggers a pass (jittered).
        public var driftInterval: Duration
        /// While idle, how often everything is read from the platforms; the drift checks in
        /// between read only what changes cheaply (Railway's configuration token, the frontend's
        /// alias, the services' own version reports).
        public var fullObserveInterval: Duration
        /// How often the known-good records a rollback may go back to are checked for rollback
        /// readiness (Railway `canRollback`, Vercel's deployment still there).
        public var readinessInterval: Duration
        public var expiredRollback: ExpiredRollback
        /// How soon a pass runs again while a rollout waits on a build or a health window.
        public var rolloutPollInterval: Duration
        /// How long the API and the worker may take to report the new revision after deploying.
        public var verifyTimeout: Duration
        public var workerVersionSource: WorkerVersionSource
        /// Consecutive failed health checks that fail the health gate.
        public var healthFailureThreshold: Int
        /// Consecutive passes failing with a retryable platform error before a rollout fails.
        public var transientFailureLimit: Int
        /// Lines of a failed build's or deployment's log kept with the failed rollout.
        public var failureLogLines: Int = 50
        /// Bound on one probe of a version or health URL or of Redis.
        public var probeTimeout: Duration
        /// With PostgreSQL: how often a standby tries to take over and the leader checks it still
        /// leads (a dead leader is replaced within about this long).
        public var leaderCheckInterval: Duration
        /// Attempts per platform API call (429, 5xx and network failures are retried).
        public var platformAttempts: Int
        /// First delay between attempts of a platform call (grows, capped at 20 s).
        public var platformRetryDelay: Duration
        /// Bound on one platform API request.
        public var platformTimeout: Duration
    }

    /// The status server's connection bounds (docs/operations.md, "Connections").
    public struct HTTP: Sendable, Hashable {
        public var idleTimeout: Duration
        public var requestTimeout: Duration
        public var lingerTimeout: Duration
        public var maxConnections: Int
        public var maxHeaderBytes: Int
    }

    /// Where a notification goes (docs/notifications.md).
    public struct NotificationChannel: Sendable, Hashable {
        public enum Destination: Sendable, Hashable {
            /// A Slack channel through the Web API with a bot token: one message per rollout,
            /// updated as it moves.
            case slack(channel: String, tokenEnv: String, apiURL: String)
            /// A JSON POST of every event, signed with HMAC-SHA256.
            case webhook(url: String, secretEnv: String)
        }

        /// The channel's name in status and metrics.
        public var name: String
        public var destination: Destination

        public init(name: String, destination: Destination) {
            self.name = name
            self.destination = destination
        }

        public static let defaultSlackAPIURL = "https://slack.com/api"
        public static let defaultSlackTokenEnv = "SLACK_BOT_TOKEN"
        public static let defaultWebhookSecretEnv = "NOTIFY_WEBHOOK_SECRET"
    }

    /// GitHub: the release gate (deploy only what CI passed) and deployment reporting.
    public struct GitHub: Sendable, Hashable {
        public var apiURL: String
        public var tokenEnv: String
        /// `owner/name`; nil: derived from the watched repository's URL when it is on github.com.
        public var repository: String?
        /// Check-run names or commit-status contexts that must succeed before a build rolls out;
        /// empty: no gate.
        public var requiredChecks: [String]
        /// How soon a pending gate looks again (GitHub's check webhooks wake it sooner).
        public var checkInterval: Duration
        /// Report each rollout as a GitHub deployment with statuses.
        public var deployments: Bool
        /// The environment's address on GitHub's deployment (`environment_url`).
        public var environmentURL: String?
        /// The `task` of the GitHub deployments that mark a build ("deploy this build");
        /// nil: deployment requests are not taken. A task of its own, because GitHub also creates
        /// deployments (task `deploy`) for every Actions job that names the environment.
        public var requestTask: String? = nil

        public static let defaults = GitHub(
            apiURL: "https://api.github.com", tokenEnv: "GITHUB_TOKEN", repository: nil, requiredChecks: [], checkInterval: .seconds(15),
            deployments: false, environmentURL: nil)
    }

    public var environment: String
    public var repository: Repository
    /// Nil: no GitHub gate and no deployment reporting.
    public var github: GitHub? = nil

    /// Promotion of this environment's known-good revisions to the next one (staging to
    /// production): `reconciler promote` fast-forwards `branch` of the watched repository.
    public struct Promotion: Sendable, Hashable {
        /// The branch the next environment's daemon follows (`production`).
        public var branch: String
        /// How long a revision must have been known-good before it may be promoted.
        public var soak: Duration
    }

    /// Nil: `promote` is refused.
    public var promotion: Promotion? = nil
    /// The status page as people reach it (`https://reconciler.staging.clipnet.ai`): the link in
    /// notifications. Nil: messages carry no status link.
    public var publicURL: String? = nil
    /// Where rollout messages and events go; several channels may be configured, by name.
    public var notifications: [NotificationChannel] = []
    /// `file:state/` (default) or `postgres://...` (the URL may come from `stateURLEnv`).
    public var state: String
    /// When set, the state URL is read from this environment variable (it may hold a password).
    public var stateURLEnv: String?
    /// Where the bare mirror of the repository is kept: the file store's folder by default
    /// (`state/mirror/...`), else `state`.
    public var mirrorDirectory: String?
    public var listenHost: String
    public var listenPort: Int
    public var http: HTTP
    /// A `KEY=VALUE` file (mode 0600) with the manifest's secret values.
    public var secretsFile: String?
    /// The other environment's fingerprints file (`reconciler validate --write-fingerprints`):
    /// production's for staging (`productionFingerprintsFile`), staging's for production
    /// (`stagingFingerprintsFile`), so the isolation check runs in both directions.
    public var counterpartFingerprintsFile: String?
    /// The environment variable holding the shared operator token (`RECONCILER_TOKEN`), an admin token.
    public var operatorTokenEnv: String
    /// The named operator tokens (roles, digests): `reconciler token issue` writes it, the daemon
    /// reads it at start and on SIGHUP.
    public var operatorTokensFile: String?
    /// The environment variable holding the GitHub webhook secret.
    public var webhookSecretEnv: String
    public var vercel: PlatformAPI
    public var railway: PlatformAPI
    public var railwayTokenKind: RailwayTokenKind
    public var reconcile: Reconcile
    /// The Cloudinary Admin API base the worker-folder check asks; only `CLOUDINARY_API_URL` sets
    /// it (tests, the demo). Nil: the worker's own `CLOUDINARY_API_BASE_URL`, else
    /// `https://api.cloudinary.com` (`CloudinaryAccount.defaultAPIBaseURL`).
    public var cloudinaryAPIURL: String? = nil

    /// The settings of `reconciler-demo` and of a configuration file that sets nothing but the
    /// required keys.
    public static let defaults = DaemonConfiguration(
        environment: "staging",
        repository: Repository(url: ".", branch: "develop", manifestDirectory: "deploy", pollInterval: .seconds(30), tokenEnv: nil, sshKeyPath: nil),
        state: "file:state/", stateURLEnv: nil, mirrorDirectory: nil, listenHost: "127.0.0.1", listenPort: 8080,
        http: HTTP(
            idleTimeout: .seconds(60), requestTimeout: .seconds(30), lingerTimeout: .seconds(2), maxConnections: 256, maxHeaderBytes: 32 * 1024),
        secretsFile: nil, counterpartFingerprintsFile: nil,
        operatorTokenEnv: "RECONCILER_TOKEN", operatorTokensFile: nil, webhookSecretEnv: "GITHUB_WEBHOOK_SECRET",
        vercel: PlatformAPI(baseURL: "https://api.vercel.com", tokenEnv: "VERCEL_TOKEN", webhookSecretEnv: "VERCEL_WEBHOOK_SECRET"),
        railway: PlatformAPI(
            baseURL: "https://backboard.railway.com", tokenEnv: "RAILWAY_TOKEN", requestsPerHour: 1_000, webhookSecretEnv: "RAILWAY_WEBHOOK_TOKEN"),
        railwayTokenKind: .account,
        reconcile: Reconcile(
            driftInterval: .seconds(60), fullObserveInterval: .seconds(900), readinessInterval: .seconds(3600), expiredRollback: .rebuild,
            rolloutPollInterval: .seconds(5), verifyTimeout: .seconds(300), workerVersionSource: .heartbeat,
            healthFailureThreshold: 2, transientFailureLimit: 5, probeTimeout: .seconds(5),
            leaderCheckInterval: .seconds(5), platformAttempts: 5, platformRetryDelay: .milliseconds(500), platformTimeout: .seconds(30))
    )

    /// `VERCEL_API_URL` and `RAILWAY_API_URL` replace the configured base URLs, and
    /// `CLOUDINARY_API_URL` sets the Cloudinary Admin API's (tests, the demo).
    public func applyingEnvironment(_ environment: [String: String]) -> DaemonConfiguration {
        var copy = self
        if let url = environment["VERCEL_API_URL"], !url.isEmpty { copy.vercel.baseURL = url }
        if let url = environment["RAILWAY_API_URL"], !url.isEmpty { copy.railway.baseURL = url }
        if let url = environment["CLOUDINARY_API_URL"], !url.isEmpty { copy.cloudinaryAPIURL = url }
        return copy
    }

    /// Where state lives, as it may be printed: the URL actually used (from `stateURLEnv` when
    /// set) without its password, and where it came from.
    public func stateDisplay(environment: [String: String]) -> String {
        guard let name = stateURLEnv else { return RedactedURL.display(state) }
        guard let value = environment[name], !value.isEmpty else { return "unset \(name)" }
        return "\(RedactedURL.display(value)) (from \(name))"
    }

    /// The state URL to open: `stateURLEnv`'s value when set, else `state`.
    public func stateURL(environment: [String: String]) throws -> String {
        guard let name = stateURLEnv else { return state }
        guard let value = environment[name], !value.isEmpty else {
            throw ConfigError(.unresolvedSecrets, "the state URL variable \(name) is not set")
        }
        return value
    }
}

/// Printing a configuration (the service group logs its services at debug) shows where things
/// are, never a credential: URLs lose their passwords and token-like user names.
extension DaemonConfiguration: CustomStringConvertible, CustomReflectable {
    public var description: String {
        "DaemonConfiguration(environment: \(environment), repository: \(RedactedURL.display(repository.url)) branch \(repository.branch), "
            + "state: \(stateURLEnv.map { "from \($0)" } ?? RedactedURL.display(state)), listen: \(listenHost):\(listenPort))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "environment": environment, "repository": RedactedURL.display(repository.url), "branch": repository.branch,
                "state": stateURLEnv.map { "from \($0)" } ?? RedactedURL.display(state), "listen": "\(listenHost):\(listenPort)",
            ], displayStyle: .struct)
    }
}

extension DaemonConfiguration.Repository: CustomStringConvertible, CustomReflectable {
    public var description: String { "Repository(\(RedactedURL.display(url)) branch \(branch))" }
    public var customMirror: Mirror {
        Mirror(self, children: ["url": RedactedURL.display(url), "branch": branch, "manifestDirectory": manifestDirectory], displayStyle: .struct)
    }
}
