import ArgumentParser
import ClipnetConfig
import ClipnetLogging
import Foundation
import Logging
import Reconciler
import ReconcilerHTTP
import ServiceLifecycle

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
        // The signal handlers come first, so a SIGTERM during start-up is a graceful stop too.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: DaemonRuntime(configuration: configuration, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Opens the daemon, then runs its services in a group of their own inside the signal-handling
/// one.
struct DaemonRuntime: Service {
    let configuration: DaemonConfiguration
    let logger: Logger

    func run() async throws {
        let registry = ClipnetMetrics.bootstrap()
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, logger: logger)
        let server = OperatorServer.makeApplication(
            control: daemon,
            configuration: .init(
                host: configuration.listenHost, port: configuration.listenPort, operatorToken: daemon.operatorToken,
                webhookSecret: daemon.webhookSecret),
            registry: registry, logger: logger,
            onListening: { port in
                printLine("reconciler: status on http://\(configuration.listenHost):\(port)/")
            })
        printLine("reconciler: \(daemon.environment) follows \(daemon.mirror.displayURL) branch \(daemon.branch); state \(configuration.state)")
        let group = ServiceGroup(configuration: .init(
            services: daemon.services + [.init(service: server)], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        try await group.run()
    }
}
