import AsyncPrimitives
public import ClipnetConfig
public import ClipnetContracts
import Deployers
public import Foundation
import GitHubAPI
public import GitWatch
import HTTPTransport
public import KnownGoodStore
public import Logging
import Notifications
public import ServiceLifecycle

/// The reconciler of one environment, assembled from its configuration: the git watcher, the
/// state store (and leader election with PostgreSQL), the platform clients and the control loop.
/// It is the one real `ReconcilerControl`; the executable adds the HTTP server and runs
/// `services` in one `ServiceGroup`.
public final class ReconcilerDaemon: Sendable {
    public let configuration: DaemonConfiguration
    public let watcher: BranchWatcher
    public let loop: ReconcileLoop
    public let mirror: GitMirror
    /// The operator token (`RECONCILER_TOKEN` by default), for the HTTP server; nil refuses
    /// mutating requests.
    public let operatorToken: String?
    /// The GitHub webhook secret, for the HTTP server; nil refuses webhooks.
    public let webhookSecret: String?
    /// The platforms' deployment webhook secrets (Vercel's signing secret, the token Railway's
    /// webhook URL carries), for the HTTP server; a platform without one has its endpoint refused.
    public let platformWebhookSecrets: [Platform: String]
    let core: DaemonCore
    let election: LeaderElection?
    let postgresStore: PostgresStateStore?
    let logger: Logger
    /// The file store's one-daemon lock, held for the daemon's life (nil with PostgreSQL, where
    /// leader election decides who reconciles).
    let directoryLock: StateDirectoryLock?
    // Owned so the C libraries outlive every handle that uses them.
    private let gitRuntime: GitRuntime
    private let curlRuntime: CurlRuntime

    public var environment: String { configuration.environment }
    public var branch: String { configuration.repository.branch }

    private init(
        configuration: DaemonConfiguration, watcher: BranchWatcher, loop: ReconcileLoop, mirror: GitMirror, operatorToken: String?,
        webhookSecret: String?, platformWebhookSecrets: [Platform: String], core: DaemonCore, election: LeaderElection?,
        postgresStore: PostgresStateStore?, logger: Logger,
        directoryLock: StateDirectoryLock?, gitRuntime: GitRuntime, curlRuntime: CurlRuntime
    ) {
        self.directoryLock = directoryLock
        self.configuration = configuration
        self.watcher = watcher
        self.loop = loop
        self.mirror = mirror
        self.operatorToken = operatorToken
        self.webhookSecret = webhookSecret
        self.platformWebhookSecrets = platformWebhookSecrets
        self.core = core
        self.election = election
        self.postgresStore = postgresStore
        self.logger = logger
        self.gitRuntime = gitRuntime
        self.curlRuntime = curlRuntime
    }

    /// Opens everything the configuration names. Nothing runs until `services` do.
    /// - Parameter environment: the process environment: tokens, secrets, `VERCEL_API_URL`,
    ///   `RAILWAY_API_URL` and `CLOUDINARY_API_URL` overrides.
    public static func make(
        configuration: DaemonConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "clipnet.reconciler")
    ) async throws -> ReconcilerDaemon {
        let configuration = configuration.applyingEnvironment(environment)
        let location = try StateStoreLocation(parsing: try configuration.stateURL(environment: environment))

        // One daemon per state directory: refused before anything else is opened.
        let directoryLock: StateDirectoryLock?
        if case .file(let directory) = location {
            directoryLock = try StateDirectoryLock(directory: directory)
        } else {
            directoryLock = nil
        }
        let gitRuntime = try GitRuntime()
        let repository = configuration.repository
        let mirrorRoot: String
        switch location {
        case .file(let directory): mirrorRoot = configuration.mirrorDirectory ?? directory
        case .postgres: mirrorRoot = configuration.mirrorDirectory ?? "state"
        }
        let mirror = try await GitMirror.open(
            url: repository.url, directory: GitMirror.defaultDirectory(stateDirectory: mirrorRoot, url: repository.url),
            credentials: credentials(repository), runtime: gitRuntime)
        let watcher = BranchWatcher(
            mirror: mirror,
            configuration: .init(branch: repository.branch, pollInterval: repository.pollInterval, markPattern: repository.markTags), logger: logger)

        let baseStore: any StateStore
        let postgresStore: PostgresStateStore?
        let election: LeaderElection?
        switch location {
        case .file(let directory):
            baseStore = try FileStateStore(directory: directory, logger: logger)
            postgresStore = nil
            election = nil
        case .postgres(let url):
            let store = try await PostgresStateStore(url: url, logger: logger)
            baseStore = store
            postgresStore = store
            let interval = configuration.reconcile.leaderCheckInterval
            election = try LeaderElection(
                url: url, environment: configuration.environment,
                configuration: .init(retryInterval: interval, checkInterval: interval), logger: logger)
        }

        let curlRuntime = try CurlRuntime()
        let client = HTTPClient(runtime: curlRuntime, configuration: .init(concurrency: 8))
        let otherFingerprints =
            try configuration.counterpartFingerprintsFile.map(IsolationFingerprints.load(path:))
            ?? IsolationFingerprints.fromEnvironment(environment, of: EnvironmentConventions.counterpart(of: configuration.environment))
        let railwayToken = environment[configuration.railway.tokenEnv].flatMap { $0.isEmpty ? nil : $0 }.map { token -> RailwayConfiguration.Token in
            configuration.railwayTokenKind == .account ? .account(token) : .project(token)
        }
        let connector = PlatformConnector(
            vercelBaseURL: configuration.vercel.baseURL, vercelToken: environment[configuration.vercel.tokenEnv],
            vercelTokenEnv: configuration.vercel.tokenEnv, railwayBaseURL: configuration.railway.baseURL, railwayToken: railwayToken,
            railwayTokenEnv: configuration.railway.tokenEnv, branch: repository.branch,
            transport: TransportConfiguration(
                connectTimeout: min(.seconds(10), configuration.reconcile.platformTimeout), requestTimeout: configuration.reconcile.platformTimeout,
                maxAttempts: configuration.reconcile.platformAttempts,
                backoff: Backoff(initial: configuration.reconcile.platformRetryDelay, maximum: .seconds(20))),
            client: client, logger: logger)
        let settings = ReconcileSettings(configuration.reconcile)
        let github = try gitHubClient(configuration, environment: environment, client: client, logger: logger)
        var dependencies = ReconcilerDependencies(
            environment: configuration.environment, branch: repository.branch, manifestDirectory: repository.manifestDirectory,
            repository: mirror, head: { [watcher] in watcher.status().head },
            secrets: SecretStore(environment: environment, file: try configuration.secretsFile.map(SecretsFile.load(path:))),
            otherFingerprints: otherFingerprints, connector: connector,
            probes: ServiceProbes(client: client, timeout: settings.probeTimeout, cloudinaryAPIURL: configuration.cloudinaryAPIURL),
            settings: settings, logger: logger,
            hostResolver: .system(timeout: .seconds(2)))
        dependencies.mark = { [watcher] in watcher.status().mark }
        if let github, let settings = configuration.github, !settings.requiredChecks.isEmpty {
            dependencies.gate = ReleaseGate(checker: github, required: settings.requiredChecks, interval: settings.checkInterval)
        }
        let board = StatusBoard(environment: configuration.environment, watch: { [watcher] in watcher.status() })
        var budgets: [Platform: Int] = [:]
        budgets[.railway] = configuration.railway.requestsPerHour
        budgets[.vercel] = configuration.vercel.requestsPerHour
        let budget = RequestBudget(perHour: budgets)
        // A missing token does not stop the daemon (status still serves and says why), but it is
        // named now, not at the first pass that needs the platform, and /readyz fails on it.
        let missingCredentials = [
            (configuration.vercel.tokenEnv, "Vercel"), (configuration.railway.tokenEnv, "Railway"),
        ].filter { environment[$0.0]?.isEmpty ?? true }.map { "\($0.0) (\($0.1))" }
        if !missingCredentials.isEmpty {
            logger.error(
                "Platform tokens are not set: every rollout and drift heal will stall until they are",
                metadata: [
                    "missing": "\(missingCredentials.joined(separator: ", "))"
                ])
        }
        let core = DaemonCore(
            reconciler: EnvironmentReconciler(dependencies: dependencies), baseStore: baseStore, board: board,
            leader: election == nil, budget: budget, logger: logger)
        let loop = ReconcileLoop(
            interval: configuration.reconcile.driftInterval,
            retryBackoff: Backoff(initial: settings.rolloutPollInterval, maximum: configuration.reconcile.driftInterval),
            logger: logger, pacing: { [core] in core.pacing() }
        ) { [core] triggers in await core.runPass(triggers) }
        await core.refreshState()
        core.notifier = makeNotifier(
            configuration, environment: environment, client: client, github: configuration.github?.deployments == true ? github : nil, core: core,
            mirror: mirror, logger: logger)
        return ReconcilerDaemon(
            configuration: configuration, watcher: watcher, loop: loop, mirror: mirror,
            operatorToken: environment[configuration.operatorTokenEnv].flatMap { $0.isEmpty ? nil : $0 },
            webhookSecret: environment[configuration.webhookSecretEnv].flatMap { $0.isEmpty ? nil : $0 },
            platformWebhookSecrets: [
                .vercel: environment[configuration.vercel.webhookSecretEnv], .railway: environment[configuration.railway.webhookSecretEnv],
            ].compactMapValues { $0.flatMap { $0.isEmpty ? nil : $0 } },
            core: core, election: election, postgresStore: postgresStore, logger: logger, directoryLock: directoryLock, gitRuntime: gitRuntime,
            curlRuntime: curlRuntime)
    }

    /// The notification channels' deliverer, or nil when none is configured.
    private static func makeNotifier(
        _ configuration: DaemonConfiguration, environment: [String: String], client: HTTPClient, github: GitHubClient?, core: DaemonCore,
        mirror: GitMirror, logger: Logger
    ) -> Notifier? {
        guard !configuration.notifications.isEmpty || github != nil else { return nil }
        var channels: [any NotificationChannel] = configuration.notifications.map { channel in
            switch channel.destination {
            case .slack(let target, let tokenEnv, let apiURL):
                SlackChannel(name: channel.name, channel: target, apiURL: apiURL, token: environment[tokenEnv], tokenEnv: tokenEnv, client: client)
            case .webhook(let url, let secretEnv):
                WebhookChannel(name: channel.name, url: url, secret: environment[secretEnv], secretEnv: secretEnv, client: client)
            }
        }
        if let github {
            channels.append(
                GitHubDeploymentsChannel(
                    client: github, environment: configuration.environment, environmentURL: configuration.github?.environmentURL,
                    statusURL: configuration.publicURL))
        }
        let planner = NotificationPlanner(
            environment: configuration.environment, statusURL: configuration.publicURL,
            repositoryWebURL: RepositoryWeb.url(fromClone: configuration.repository.url))
        return Notifier(
            environment: configuration.environment, channels: channels, startSequence: core.board.inputs.state.historySequence, planner: planner,
            inputs: { [core] in Notifier.Inputs(store: core.leaderStore, context: core.notificationContext()) },
            describe: { [mirror] revision in
                guard let id = try? await mirror.resolve(revision), let info = try? await mirror.commitInfo(id) else { return nil }
                return NotificationEvent.Commit(short: CommitID.short(revision), subject: info.subject, author: info.authorName)
            },
            onStatus: { [core] status in core.board.update { $0.notifications = status } }, logger: logger)
    }

    /// The GitHub REST client, when `github:` is configured and the repository is known (named, or
    /// the watched one is on github.com).
    /// - Throws: `ConfigError` when `github:` is configured but names no repository and the
    ///   watched one is not on github.com: a release gate that cannot be built must stop the
    ///   daemon, not let every revision through unchecked.
    private static func gitHubClient(
        _ configuration: DaemonConfiguration, environment: [String: String], client: HTTPClient, logger: Logger
    ) throws -> GitHubClient? {
        guard let settings = configuration.github else { return nil }
        guard let repository = settings.repository ?? RepositoryWeb.ownerAndName(fromClone: configuration.repository.url) else {
            throw ConfigError(
                .invalidManifest,
                "github: set github.repository (owner/name): the watched repository \(RedactedURL.display(configuration.repository.url)) is not on github.com"
            )
        }
        let token = environment[settings.tokenEnv].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil {
            logger.error(
                "The GitHub token is not set: the release gate waits and deployments are not reported until it is",
                metadata: ["variable": "\(settings.tokenEnv)"])
        }
        return GitHubClient(apiURL: settings.apiURL, repository: repository, token: token, client: client)
    }

    /// Delivers what the notification channels have not been told yet, now (tests; the service
    /// does it on its own after every pass).
    /// - Parameter now: the round's time (a test steps past a channel's backoff with it).
    public func deliverNotifications(at now: Date = Date()) async {
        await core.notifier?.deliverNow(now: now)
    }

    /// Fetches the branch once now (what the watcher does on its interval).
    @discardableResult
    public func fetch() async -> Bool {
        if case .success = await watcher.poll() { return true }
        return false
    }

    /// Runs one pass now, outside the loop: for tests and one-shot use. Never call it while the
    /// loop runs (passes must not overlap).
    public func runPass(_ triggers: Set<ReconcileTrigger> = [.operatorRequest]) async -> PassReport {
        await core.runPass(triggers)
    }

    /// The environment's record as stored now.
    public func loadState() async throws -> EnvironmentState {
        try await core.baseStore.load(environment: environment)
    }

    /// The leader election as a service (PostgreSQL only): what `services` runs, exposed so a
    /// test can lead without running the loop.
    public var leadership: (any Service)? {
        guard let election, let postgresStore else { return nil }
        return LeadershipService(election: election, store: postgresStore, core: core, loop: loop)
    }

    /// The long-running parts, in start order: the branch watcher, the loop that turns new heads
    /// into passes, the leader election (PostgreSQL only) and the control loop.
    public var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: watcher),
            .init(service: HeadForwarder(watcher: watcher, loop: loop)),
        ]
        if let leadership { services.append(.init(service: leadership)) }
        services.append(.init(service: loop))
        if let notifier = core.notifier { services.append(.init(service: notifier)) }
        return services
    }

    private static func credentials(_ repository: DaemonConfiguration.Repository) -> GitCredentials {
        if let token = repository.tokenEnv { return .httpsToken(environmentVariable: token) }
        if let key = repository.sshKeyPath { return .sshKey(privateKeyPath: key) }
        if repository.url.hasPrefix("ssh://") || repository.url.contains(/^[^\/]+@[^\/]+:/) {
            return .sshAgent
        }
        return .none
    }
}

/// Turns each new head of the branch into a pass.
struct HeadForwarder: Service {
    let watcher: BranchWatcher
    let loop: ReconcileLoop

    func run() async throws {
        for await _ in watcher.updates.cancelOnGracefulShutdown() {
            loop.request(.newHead)
        }
    }
}

/// Follows the leader election: while this replica leads, passes write through a store fenced
/// by its epoch; when it loses leadership, passes stop writing at once (a late write fails with
/// `notLeader`). A new leader starts a pass straight away, which continues any rollout the old
/// leader left in flight.
struct LeadershipService: Service {
    let election: LeaderElection
    let store: PostgresStateStore
    let core: DaemonCore
    let loop: ReconcileLoop

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await election.run() }
            for await event in election.events.cancelOnGracefulShutdown() {
                switch event {
                case .leader(let fence):
                    core.becomeLeader(store.fenced(by: fence))
                    loop.request(.startup)
                case .standby:
                    core.becomeStandby()
                }
            }
            group.cancelAll()
        }
    }
}
