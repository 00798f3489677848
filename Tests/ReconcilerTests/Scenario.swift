import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import Logging
import PlatformEmulators
import Reconciler
import ServiceLifecycle
import StagingSandbox
import Synchronization
import TestSupport

/// A Given/When/Then world for the reconciler: a throwaway staging (git repository with CLIPNET's
/// manifests, Vercel and Railway emulators, the simulated API, worker heartbeats in the test
/// Redis) and a daemon over it, driven pass by pass so every scenario is deterministic.
final class Scenario: Sendable {
    enum Store: Sendable, CustomStringConvertible {
        case file
        case postgres

        var description: String { self == .file ? "file" : "postgres" }
    }

    let sandbox: StagingSandbox
    let daemon: ReconcilerDaemon
    let configurationText: String
    let databaseName: String?
    /// A bare repository the daemon watches instead of the sandbox's working one, pushed to
    /// after each commit (libgit2 pushes only to bare repositories: `promote` needs one).
    let bareOrigin: String?
    private let leadershipTask = Mutex<Task<Void, any Error>?>(nil)

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let manifests = packageRoot + "/deploy"
    private static let databaseCounter = Mutex(0)

    private init(sandbox: StagingSandbox, daemon: ReconcilerDaemon, configurationText: String, databaseName: String?, bareOrigin: String?) {
        self.bareOrigin = bareOrigin
        self.sandbox = sandbox
        self.daemon = daemon
        self.configurationText = configurationText
        self.databaseName = databaseName
    }

    /// A Redis URL on the test server with a database of its own (1...15, round robin), so the
    /// heartbeats of scenarios running side by side stay apart.
    static func redisURL() throws -> String {
        let base = try TestServices.redisURL()
        let index = databaseCounter.withLock { counter -> Int in
            counter += 1
            return 1 + counter % 15
        }
        guard let slash = base.lastIndex(of: "/") else { return base }
        return String(base[...slash]) + "\(index)"
    }

    static func start(
        store: Store = .file, heartbeats: Bool = true, healthWindowSeconds: Int = 0, railwayAutoDeploy: Bool = false,
        frontendTarget: String? = nil, notifications: Bool = false, github: Bool = false, bareOrigin: Bool = false,
        extraEnvironment: [String: String] = [:], logger: Logger = quietLogger, configure: (String) -> String = { $0 }
    ) async throws -> Scenario {
        let redis = heartbeats ? try redisURL() : nil
        var options = StagingSandbox.Options(
            manifestsDirectory: manifests, redisURL: redis, heartbeatInterval: .milliseconds(40),
            healthWindowSeconds: healthWindowSeconds, railwayAutoDeploy: railwayAutoDeploy, frontendTarget: frontendTarget)
        options.notifications = notifications
        options.github = github
        let sandbox = try await StagingSandbox.start(options)
        var database: (name: String, url: String)?
        if store == .postgres { database = try await TestDatabase.make(prefix: "reconciler") }
        var origin: String?
        var base = sandbox.daemonConfiguration(state: database?.url)
        if bareOrigin {
            let path = sandbox.root + "/origin.git"
            _ = try sandbox.repository.git("clone", "--quiet", "--bare", sandbox.repository.path, path)
            base = base.replacingOccurrences(of: "  url: \(sandbox.repository.path)\n", with: "  url: \(path)\n")
            origin = path
        }
        let text = configure(base)
        let configuration = try DaemonConfiguration.parse(text, file: "scenario.yaml")
        var environment = sandbox.environment.merging(extraEnvironment) { $1 }
        environment["RECONCILER_TOKEN"] = "scenario-operator-token"
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, environment: environment, logger: logger)
        let scenario = Scenario(sandbox: sandbox, daemon: daemon, configurationText: text, databaseName: database?.name, bareOrigin: origin)
        if store == .postgres {
            // The PostgreSQL daemon starts as a standby; lead it through its own election.
            try await scenario.lead()
        }
        return scenario
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "scenario")
        logger.logLevel = .critical
        return logger
    }()

    /// Commits on `develop` (registered with both platforms) and returns the commit id.
    @discardableResult
    func commit(_ message: String, files: [String: String] = [:]) throws -> String {
        let sha = try sandbox.commit(message, files: files)
        if let bareOrigin { _ = try sandbox.repository.git("push", "--quiet", bareOrigin, sandbox.repository.branch) }
        return sha
    }

    /// Fetches, then runs passes until one ends without asking to run again soon (a rollout
    /// finished or failed, or nothing to do); sleeps out the requeue delays in between.
    @discardableResult
    func settle(maxPasses: Int = 400) async throws -> PassReport {
        try await Self.settle(daemon, maxPasses: maxPasses)
    }

    /// `settle()` for any daemon of the scenario (production's beside staging's).
    @discardableResult
    static func settle(_ daemon: ReconcilerDaemon, maxPasses: Int = 400) async throws -> PassReport {
        await daemon.fetch()
        var last: PassReport?
        for _ in 0..<maxPasses {
            let report = await daemon.runPass([.timer])
            // What the notifier service does after every pass (no-op without channels).
            await daemon.deliverNotifications()
            last = report
            switch report.result {
            case .requeued(let after), .waiting(let after):
                try await Task.sleep(for: min(after, .milliseconds(100)))
            case .failed:
                try await Task.sleep(for: .milliseconds(50))
            case .succeeded, .stalled:
                if try await daemon.loadState().rollout?.isActive != true { return report }
            }
        }
        throw ScenarioError("no settled pass after \(maxPasses) passes; last: \(String(describing: last))")
    }

    /// The environment's record as the daemon publishes it.
    func state() -> StatusDocument? { daemon.status().document }

    func record() async throws -> EnvironmentState {
        try await daemon.loadState()
    }

    /// Railway deploy mutations and Vercel creates so far, from the emulators' request logs.
    var railwayDeployCalls: Int { sandbox.railwayServer.host.log.requests(operation: "serviceInstanceDeployV2").count }
    var railwayRollbackCalls: Int { sandbox.railwayServer.host.log.requests(operation: "deploymentRollback").count }
    var vercelCreateCalls: Int { sandbox.vercelServer.host.log.requests("POST", "/v13/deployments").count }

    /// The commit the API (version endpoint) runs, and the one the alias serves.
    var apiRevision: String? { sandbox.apps.runningRevision }
    var frontendRevision: String? { frontendRevision(domain: sandbox.manifest.frontend.domain) }

    /// The commit of the deployment `domain` serves (production's, say).
    func frontendRevision(domain: String) -> String? {
        guard let target = sandbox.vercel.aliasTarget(domain) else { return nil }
        return sandbox.vercel.deployments().first { $0.id == target }?.sha
    }
    var workerRevision: String? {
        sandbox.railway.servingDeployment(
            serviceId: sandbox.manifest.railway.services.worker.serviceId, environmentId: sandbox.manifest.railway.environmentId)?.revision
    }

    /// Runs the daemon's leader election until it leads (PostgreSQL store).
    func lead() async throws {
        guard let leadership = daemon.leadership else { return }
        leadershipTask.withLock { $0 = Task { try await leadership.run() } }
        let led = await eventually(within: .seconds(20)) { self.daemon.status().document.leader }
        guard led else { throw ScenarioError("the daemon did not become leader") }
    }

    func stop() async {
        if let task = leadershipTask.withLock({ $0 }) {
            task.cancel()
            _ = await task.result
        }
        await sandbox.stop()
        if let databaseName { try? await TestDatabase.remove(databaseName) }
    }

    /// Runs `body` with a started scenario and always stops it.
    static func with<T>(
        store: Store = .file, heartbeats: Bool = true, healthWindowSeconds: Int = 0, railwayAutoDeploy: Bool = false,
        frontendTarget: String? = nil, notifications: Bool = false, github: Bool = false, bareOrigin: Bool = false,
        extraEnvironment: [String: String] = [:], logger: Logger = quietLogger, configure: (String) -> String = { $0 },
        _ body: (Scenario) async throws -> T
    ) async throws -> T {
        let scenario = try await start(
            store: store, heartbeats: heartbeats, healthWindowSeconds: healthWindowSeconds, railwayAutoDeploy: railwayAutoDeploy,
            frontendTarget: frontendTarget, notifications: notifications, github: github, bareOrigin: bareOrigin,
            extraEnvironment: extraEnvironment, logger: logger, configure: configure)
        do {
            let result = try await body(scenario)
            await scenario.stop()
            return result
        } catch {
            await scenario.stop()
            throw error
        }
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
