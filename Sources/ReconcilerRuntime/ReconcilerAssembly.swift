public import ClipnetConfig
public import Foundation
public import Logging
public import Reconciler
public import ReconcilerHTTP
public import ServiceLifecycle

/// The one place a running reconciler is put together: the daemon, its operator server (with the
/// shared and named tokens), the token file's SIGHUP reloader, and the services to run in one
/// group. `reconciler run` and `reconciler-demo` both build through here, so they cannot wire
/// the product differently.
public struct ReconcilerAssembly: Sendable {
    public let daemon: ReconcilerDaemon
    public let credentials: OperatorCredentials
    /// Everything to run: the daemon's loops, the operator server, and the reloader when a token
    /// file is configured.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// - Parameters:
    ///   - environment: where the tokens and secrets are read from (the process environment for
    ///     `run`, the sandbox's for the demo).
    ///   - onListening: called with the bound port once the operator server listens.
    public static func make(
        configuration: DaemonConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger, onListening: @escaping @Sendable (_ port: Int) async -> Void
    ) async throws -> ReconcilerAssembly {
        let registry = ClipnetMetrics.bootstrap()
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, environment: environment, logger: logger)
        let credentials = try OperatorCredentials(sharedToken: daemon.operatorToken, tokenFilePath: configuration.operatorTokensFile)
        let server = OperatorServer.makeApplication(
            control: daemon,
            configuration: .init(
                host: configuration.listenHost, port: configuration.listenPort, operatorToken: daemon.operatorToken,
                credentials: credentials, webhookSecret: daemon.webhookSecret,
                platformWebhookSecrets: daemon.platformWebhookSecrets,
                connectionLimits: ConnectionLimits(
                    idleTimeout: configuration.http.idleTimeout, requestTimeout: configuration.http.requestTimeout,
                    lingerTimeout: configuration.http.lingerTimeout, maximumConnections: configuration.http.maxConnections,
                    maximumHeaderSize: configuration.http.maxHeaderBytes)),
            registry: registry, logger: logger, onListening: onListening)
        var services = daemon.services + [.init(service: server)]
        if credentials.tokenFilePath != nil {
            services.append(.init(service: OperatorTokenReloader(credentials: credentials, logger: logger)))
        }
        return ReconcilerAssembly(daemon: daemon, credentials: credentials, services: services)
    }
}
