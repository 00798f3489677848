import ArgumentParser
import ClipnetConfig
import ClipnetLogging
import Foundation
import GitWatch
import Logging
import Reconciler
import ReconcilerHTTP
import ReconcilerRuntime
import ServiceLifecycle
import UnixSignals

/// `reconciler run --config FILE`: the daemon. Watches the branch, rolls staging out, heals
/// drift, serves status; stops gracefully on SIGTERM or SIGINT (a rollout in flight is persisted
/// and continues at the next start).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the reconciler daemon.",
        discussion: "Tokens and secrets come from the environment (names in the configuration file), never from the file itself."
    )

    @Option(help: "The daemon configuration file (YAML; see docs/reconciler.md).")
    var config: String

    func run() async throws {
        let settings = ClipnetLogging.settings(from: ProcessInfo.processInfo.environment)
        ClipnetLogging.bootstrap(level: settings.level, format: settings.format)
        let logger = Logger(label: "clipnet.reconciler")
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(path: config)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("reconciler: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        do {
            for folder in try PrivateStateDirectory.prepare(configuration, environment: ProcessInfo.processInfo.environment) {
                logger.warning("The state folder was readable by others; made it private (0700)", metadata: ["state.folder": "\(folder)"])
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("reconciler: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        // The files the configuration names are read now, so a missing one is a clear usage error
        // (exit 2) rather than a daemon that fails after starting.
        do {
            if let path = configuration.secretsFile { _ = try SecretsFile.load(path: path) }
            if let path = configuration.counterpartFingerprintsFile { _ = try IsolationFingerprints.load(path: path) }
            if let path = configuration.operatorTokensFile { _ = try OperatorTokenFile.load(path: path) }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("reconciler: \(error.description)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("reconciler: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let problem = ListenCheck.problem(host: configuration.listenHost, port: configuration.listenPort) {
            FileHandle.standardError.write(Data("reconciler: \(problem); change `listen:` in \(config)\n".utf8))
            throw ExitCode.failure
        }
        // The signal handlers come first, so a SIGTERM during start-up is a graceful stop too.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: DaemonRuntime(configuration: configuration, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Opens the daemon, then runs its services in a group of their own inside the signal-handling
/// one. Its description is what the service group logs at debug: the environment only, never
/// the configuration's URLs.
struct DaemonRuntime: Service, CustomStringConvertible, CustomReflectable {
    let configuration: DaemonConfiguration
    let logger: Logger

    var description: String { "DaemonRuntime(\(configuration.environment))" }
    var customMirror: Mirror { Mirror(self, children: ["environment": configuration.environment], displayStyle: .struct) }

    func run() async throws {
        let configuration = self.configuration
        let assembly = try await ReconcilerAssembly.make(configuration: configuration, logger: logger) { port in
            printLine("reconciler: status on http://\(configuration.listenHost):\(port)/")
        }
        let daemon = assembly.daemon
        let state = configuration.stateDisplay(environment: ProcessInfo.processInfo.environment)
        printLine("reconciler: \(daemon.environment) follows \(daemon.mirror.displayURL) branch \(daemon.branch); state \(state)")
        let group = ServiceGroup(
            configuration: .init(
                services: assembly.services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        try await group.run()
    }
}
