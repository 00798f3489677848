import AsyncPrimitives
public import ClipnetConfig
import ClipnetContracts
import Foundation
public import PlatformEmulators
import RedisClient
import Synchronization

/// A throwaway CLIPNET staging on loopback: a git repository holding CLIPNET's manifests (the
/// staging one pointed at the simulated API), the Vercel and Railway emulators seeded from those
/// manifests, a Cloudinary emulator holding the worker's folder (the reconciler checks it), the
/// simulated API (version and health URLs that follow what Railway serves), and optionally
/// simulated worker heartbeats in a real Redis. Nothing in it reaches the network. What `reconciler-demo` runs, and what
/// the reconciler's scenario tests run against.
public final class StagingSandbox: Sendable {
    public struct Options: Sendable {
        /// CLIPNET's manifest folder (`deploy/` of this repository), copied into the sandbox.
        public var manifestsDirectory: String
        /// Where to create `repository/` and `state/`; a new temporary folder when nil.
        public var directory: String?
        /// A Redis for simulated worker heartbeats; nil: no heartbeats (verify with `platform`).
        public var redisURL: String?
        public var heartbeatInterval: Duration
        public var vercelTimings: VercelEmulator.Timings
        public var railwayTimings: RailwayEmulator.Timings
        /// Replaces the staging manifest's health window (seconds; 0 is one check).
        public var healthWindowSeconds: Int
        public var healthIntervalSeconds: Int
        /// Whether the emulated Railway services start with their own deploy-on-push switched on.
        public var railwayAutoDeploy: Bool
        /// Replaces the staging manifest's Vercel target (`production`: a staged build the
        /// reconciler starts beside the backend's); nil keeps the shipped `staging`.
        public var frontendTarget: String?
        /// Starts a Slack emulator and a webhook sink, and names both as notification channels
        /// in `daemonConfiguration` (tokens in `environment`).
        public var notifications = false
        /// Starts a GitHub API emulator and configures the release gate (checks `build` and
        /// `test`) and deployment reporting against it (`GITHUB_TOKEN` in `environment`).
        public var github = false

        public init(
            manifestsDirectory: String, directory: String? = nil, redisURL: String? = nil, heartbeatInterval: Duration = .milliseconds(100),
            vercelTimings: VercelEmulator.Timings = .init(queued: .milliseconds(30), building: .milliseconds(120)),
            railwayTimings: RailwayEmulator.Timings = .init(
                initializing: .milliseconds(20), building: .milliseconds(100), deploying: .milliseconds(40)),
            healthWindowSeconds: Int = 0, healthIntervalSeconds: Int = 1, railwayAutoDeploy: Bool = false, frontendTarget: String? = nil
        ) {
            self.frontendTarget = frontendTarget
            self.manifestsDirectory = manifestsDirectory
            self.directory = directory
            self.redisURL = redisURL
            self.heartbeatInterval = heartbeatInterval
            self.vercelTimings = vercelTimings
            self.railwayTimings = railwayTimings
            self.healthWindowSeconds = healthWindowSeconds
            self.healthIntervalSeconds = healthIntervalSeconds
            self.railwayAutoDeploy = railwayAutoDeploy
        }
    }

    public let root: String
    public let repository: SandboxRepository
    public let stateDirectory: String
    /// The staging manifest as committed first (ids used to seed the emulators).
    public let manifest: Manifest
    public let vercel: VercelEmulator
    public let vercelServer: EmulatorServer
    public let railway: RailwayEmulator
    public let railwayServer: EmulatorServer
    public let apps: StagingAppSimulator
    public let appsServer: EmulatorServer
    /// The worker's Cloudinary account, with its folder created (`cloudinaryFolder`).
    public let cloudinary: CloudinaryEmulator
    public let cloudinaryServer: EmulatorServer
    /// The folder the staging worker's variables name (`staging_clips`), as the Admin API names it.
    public let cloudinaryFolder: String
    /// The environment the reconciler daemon needs: tokens, the manifest's secrets, the
    /// emulators' URLs. Throwaway values, generated per sandbox.
    public let environment: [String: String]
    public let redisURL: String?
    /// The Slack emulator and webhook sink the daemon notifies (with `Options.notifications`).
    public let notifications: SandboxNotifications?
    /// The GitHub emulator the daemon's release gate reads and reports deployments to (with `Options.github`).
    public let github: SandboxGitHub?
    private let heartbeats: Mutex<Task<Void, Never>?>
    private let ownsRoot: Bool

    public static let org = "clipnet"
    public static let repo = "clipnet"

    private init(
        root: String, repository: SandboxRepository, stateDirectory: String, manifest: Manifest, vercel: VercelEmulator,
        vercelServer: EmulatorServer, railway: RailwayEmulator, railwayServer: EmulatorServer, apps: StagingAppSimulator,
        appsServer: EmulatorServer, cloudinary: CloudinaryEmulator, cloudinaryServer: EmulatorServer, cloudinaryFolder: String,
        environment: [String: String], redisURL: String?, notifications: SandboxNotifications?, github: SandboxGitHub?, ownsRoot: Bool
    ) {
        self.notifications = notifications
        self.github = github
        self.cloudinary = cloudinary
        self.cloudinaryServer = cloudinaryServer
        self.cloudinaryFolder = cloudinaryFolder
        self.root = root
        self.repository = repository
        self.stateDirectory = stateDirectory
        self.manifest = manifest
        self.vercel = vercel
        self.vercelServer = vercelServer
        self.railway = railway
        self.railwayServer = railwayServer
        self.apps = apps
        self.appsServer = appsServer
        self.environment = environment
        self.redisURL = redisURL
        self.heartbeats = Mutex(nil)
        self.ownsRoot = ownsRoot
    }

    /// Creates the repository (first commit: the manifests), starts the emulators and the API
    /// simulator, and the heartbeats when a Redis is given.
    public static func start(_ options: Options) async throws -> StagingSandbox {
        let ownsRoot = options.directory == nil
        let root = try options.directory ?? Self.temporaryDirectory()
        let stateDirectory = root + "/state"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let manifests = try SandboxManifests(directory: options.manifestsDirectory)

        let tokens = (vercel: "sandbox-vercel-" + Self.randomHex(), railway: "sandbox-railway-" + Self.randomHex())
        let railway = RailwayEmulator(configuration: .init(accountTokens: [tokens.railway], timings: options.railwayTimings))
        let staging = manifests.staging
        let productionEnvironment = manifests.productionEnvironmentId ?? "00000000-0000-4000-8000-000000000000"
        railway.addProject(
            id: staging.railway.projectId, name: "clipnet",
            environments: [(staging.railway.environmentId, "staging"), (productionEnvironment, "production")])
        let repositoryName = "\(org)/\(repo)"
        railway.addService(
            id: staging.railway.services.api.serviceId, name: "api", projectId: staging.railway.projectId,
            repo: repositoryName, branch: "develop", autoDeploy: options.railwayAutoDeploy)
        railway.addService(
            id: staging.railway.services.worker.serviceId, name: "worker", projectId: staging.railway.projectId,
            repo: repositoryName, branch: "develop", autoDeploy: options.railwayAutoDeploy)
        railway.addService(
            id: staging.railway.redis.serviceId, name: "redis", projectId: staging.railway.projectId, image: "redis:7", autoDeploy: false)
        railway.addService(
            id: staging.railway.postgres.serviceId, name: "postgres", projectId: staging.railway.projectId, image: "postgres:16", autoDeploy: false)
        let railwayServer = try await railway.start()

        let vercel = VercelEmulator(configuration: .init(token: tokens.vercel, teamId: staging.frontend.teamId, timings: options.vercelTimings))
        vercel.addProject(id: staging.frontend.projectId, name: staging.frontend.projectName, org: org, repo: repo)
        // The frontend deploys to the project's `staging` custom environment (deploy/staging.yaml).
        vercel.addCustomEnvironment(project: staging.frontend.projectId, slug: "staging")
        let vercelServer = try await vercel.start()

        let apps = StagingAppSimulator(
            railway: railway, apiServiceId: staging.railway.services.api.serviceId, environmentId: staging.railway.environmentId)
        let appsServer = try await apps.start()

        // The account the worker's CLOUDINARY_URL names, with the folder its CLOUDINARY_FOLDER
        // names: the reconciler's inventory check finds it (CLOUDINARY_API_URL points it here).
        let cloudinary = CloudinaryEmulator(
            configuration: .init(
                cloudName: staging.cloudinary.cloudName, apiKey: "sandbox-" + Self.randomHex().prefix(8), apiSecret: "sandbox-" + Self.randomHex()))
        let workerVariables = staging.railway.services.worker.variables
        let folderValue: String =
            if case .plain(let text)? = workerVariables[WorkerSettings.Variable.cloudinaryFolder] { text } else { staging.cloudinary.folder }
        let cloudinaryFolder = folderValue.hasSuffix("/") ? String(folderValue.dropLast()) : folderValue
        cloudinary.createFolder(cloudinaryFolder)
        let cloudinaryServer = try await cloudinary.start()

        let repository = try SandboxRepository(path: root + "/repository", branch: "develop")
        let stagingText = manifests.stagingText(
            apiBaseURL: appsServer.baseURL + "/api", healthWindowSeconds: options.healthWindowSeconds,
            healthIntervalSeconds: options.healthIntervalSeconds, frontendTarget: options.frontendTarget)
        var environment: [String: String] = [
            "VERCEL_TOKEN": tokens.vercel, "RAILWAY_TOKEN": tokens.railway,
            "VERCEL_API_URL": vercelServer.baseURL, "RAILWAY_API_URL": railwayServer.baseURL,
            "CLOUDINARY_API_URL": cloudinaryServer.baseURL,
            // The daemon accepts the platforms' deployment webhooks with these; the emulators send
            // them once `sendPlatformWebhooks(to:)` says where.
            "VERCEL_WEBHOOK_SECRET": EmulatorIDs.prefixed("whsec_"), "RAILWAY_WEBHOOK_TOKEN": EmulatorIDs.prefixed("rwt_"),
        ]
        for reference in staging.secretReferences.map(\.reference.name) {
            environment[reference] = Self.secretValue(for: reference, redisURL: options.redisURL)
        }
        if case .secret(let reference)? = workerVariables["CLOUDINARY_URL"] {
            let account = cloudinary.configuration
            environment[reference.name] = "cloudinary://\(account.apiKey):\(account.apiSecret)@\(account.cloudName)"
        }
        let notifications = options.notifications ? try await SandboxNotifications.start() : nil
        if let notifications { environment.merge(notifications.environment) { $1 } }
        let github = options.github ? try await SandboxGitHub.start(repository: "\(org)/\(repo)") : nil
        if let github {
            environment["GITHUB_TOKEN"] = github.emulator.token
            // The daemon's GitHub webhook secret: the emulator signs its check events with it.
            environment["GITHUB_WEBHOOK_SECRET"] = EmulatorIDs.prefixed("ghwh_")
        }
        let sandbox = StagingSandbox(
            root: root, repository: repository, stateDirectory: stateDirectory, manifest: staging, vercel: vercel,
            vercelServer: vercelServer, railway: railway, railwayServer: railwayServer, apps: apps, appsServer: appsServer,
            cloudinary: cloudinary, cloudinaryServer: cloudinaryServer, cloudinaryFolder: cloudinaryFolder,
            environment: environment, redisURL: options.redisURL, notifications: notifications, github: github, ownsRoot: ownsRoot)
        _ = try sandbox.commit(
            "CLIPNET manifests",
            files: [
                "deploy/base.yaml": manifests.baseText, "deploy/staging.yaml": stagingText, "deploy/production.yaml": manifests.productionText,
            ])
        if let redisURL = options.redisURL {
            sandbox.startHeartbeats(redisURL: redisURL, interval: options.heartbeatInterval)
        }
        return sandbox
    }

    /// Commits `files` to `develop` and makes the commit known to both platforms (as if pushed to
    /// GitHub). Returns the full commit id.
    @discardableResult
    public func commit(_ message: String, files: [String: String] = [:]) throws -> String {
        let sha = try repository.commit(message, files: files)
        vercel.registerCommit(sha, branch: repository.branch, org: Self.org, repo: Self.repo)
        railway.registerCommit(sha, branch: repository.branch, repo: "\(Self.org)/\(Self.repo)")
        return sha
    }

    /// A daemon configuration file for this sandbox.
    public func daemonConfiguration(
        listen: String = "127.0.0.1:0", state: String? = nil, pollInterval: String = "200ms", driftInterval: String = "2s",
        rolloutPollInterval: String = "50ms", verifyTimeout: String = "60s"
    ) -> String {
        """
        # A reconciler for the sandbox staging (made by StagingSandbox).
        environment: staging
        repository:
          url: \(repository.path)
          branch: \(repository.branch)
          pollInterval: \(pollInterval)
        state: \(state ?? "file:\(stateDirectory)")
        listen: \(listen)
        \(Self.reconcileSection(
            driftInterval: driftInterval, rolloutPollInterval: rolloutPollInterval, verifyTimeout: verifyTimeout,
            workerVersionSource: redisURL == nil ? "platform" : "heartbeat"))
        \(notifications?.configuration ?? "")\(github?.configuration ?? "")
        """
    }

    /// Stops the servers and the heartbeats, and removes the sandbox folder if it made it.
    public func stop() async {
        heartbeats.withLock { $0?.cancel() }
        vercel.sendWebhooks(to: nil)
        railway.sendWebhooks(to: nil)
        await appsServer.stop()
        await cloudinaryServer.stop()
        await vercelServer.stop()
        await railwayServer.stop()
        await notifications?.stop()
        github?.emulator.sendWebhooks(to: nil)
        await github?.server.stop()
        if ownsRoot { try? FileManager.default.removeItem(atPath: root) }
    }

    // MARK: Heartbeats

    /// Writes `clipnet:staging:workers:<id>` for the worker deployment Railway serves now, with
    /// its revision as the version, as the real worker does (the heartbeat contract, docs/queue-protocol.md).
    private func startHeartbeats(redisURL: String, interval: Duration) {
        let railway = railway
        let serviceId = manifest.railway.services.worker.serviceId
        let environmentId = manifest.railway.environmentId
        let keys = WorkerKeyspace(environment: "staging")
        let task = Task {
            var connection: RedisConnection?
            let ttl = max(Int(interval.milliseconds * 4), 500)
            // A worker starts once per deployment: its start time stays the same for its life.
            var started: [String: String] = [:]
            while !Task.isCancelled {
                if let serving = railway.servingDeployment(serviceId: serviceId, environmentId: environmentId) {
                    do {
                        if connection == nil { connection = try await RedisConnection.connect(to: redisURL) }
                        let now = ISO8601DateFormatter().string(from: Date())
                        let id = "sandbox-" + serving.id.prefix(8)
                        let startedAt = started[serving.id] ?? now
                        started[serving.id] = startedAt
                        let heartbeat = WorkerHeartbeat(
                            workerId: id, environment: "staging", version: serving.revision, startedAt: startedAt, heartbeatAt: now,
                            inFlight: 0, concurrency: 4, jobTypes: [], host: "sandbox", pid: 0, deploymentId: serving.id)
                        let json = String(decoding: try JSONEncoder().encode(heartbeat), as: UTF8.self)
                        _ = try await connection?.command(["SET", keys.heartbeat(worker: id), json, "PX", "\(ttl)"])
                    } catch {
                        connection = nil
                    }
                }
                try? await Task.sleep(for: interval)
            }
            await connection?.close()
        }
        heartbeats.withLock { $0 = task }
    }

    // MARK: Helpers

    static func secretValue(for name: String, redisURL: String?, database: String = "clipnet_sandbox") -> String {
        if name.hasSuffix("REDIS_URL") { return redisURL ?? "redis://127.0.0.1:6399/0" }
        if name.hasSuffix("DATABASE_URL") { return "postgresql://clipnet:\(randomHex())@127.0.0.1:5439/\(database)" }
        return "sandbox-\(randomHex())"
    }

    /// The `reconcile:` section of a sandbox daemon's file (staging's, and production's beside it):
    /// short intervals, so a rollout takes seconds.
    static func reconcileSection(
        driftInterval: String = "2s", rolloutPollInterval: String = "50ms", verifyTimeout: String = "60s", workerVersionSource: String
    ) -> String {
        """
        reconcile:
          driftInterval: \(driftInterval)
          rolloutPollInterval: \(rolloutPollInterval)
          verifyTimeout: \(verifyTimeout)
          workerVersionSource: \(workerVersionSource)
          probeTimeout: 10s
          transientFailureLimit: 5
          platformAttempts: 3
          platformRetryDelay: 20ms
          platformTimeout: 30s
          leaderCheckInterval: 300ms
        """
    }

    /// 32 random hex characters: throwaway tokens and secrets.
    public static func randomHex() -> String {
        (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined()
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "clipnet-sandbox-" + randomHex().prefix(12)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
