public import Hummingbird
import HummingbirdCore
public import Logging
public import Prometheus
public import Reconciler

/// The daemon's HTTP server for on-call and operators: status (JSON, HTML page, Prometheus
/// metrics), health, history and plan for anyone who can reach the port; reconcile, pin, unpin
/// and rollback with the operator token; GitHub push webhooks with their signature. Contract:
/// docs/openapi.yaml and docs/operations.md.
///
/// Usage, in the daemon's `ServiceGroup`:
/// ```swift
/// let registry = ClipnetMetrics.bootstrap()
/// let server = OperatorServer.makeApplication(
///     control: daemon,
///     configuration: .init(host: "127.0.0.1", port: 8080,
///                          operatorToken: environment["RECONCILER_TOKEN"], webhookSecret: secret),
///     registry: registry, logger: logger,
///     onListening: { port in logger.info("status page on http://127.0.0.1:\(port)/") })
/// let group = ServiceGroup(services: [daemon, server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// ```
public enum OperatorServer {
    /// Builds the server as a Hummingbird `Application`, which is a `Service`: it binds when the
    /// service group runs it and stops on graceful shutdown.
    ///
    /// - Parameters:
    ///   - control: the running daemon.
    ///   - configuration: address, token, webhook secret, limits.
    ///   - registry: what `/metrics` renders (`ClipnetMetrics.bootstrap()` in the daemon).
    ///   - logger: for operator actions, refused webhooks and unexpected failures.
    ///   - onListening: called once the socket is bound, with the bound TCP port (the real one when
    ///     `configuration.port` is 0).
    public static func makeApplication(
        control: any ReconcilerControl,
        configuration: OperatorServerConfiguration = OperatorServerConfiguration(),
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> Application<OperatorResponder> {
        let responder = makeResponder(control: control, configuration: configuration, registry: registry, logger: logger)
        if !configuration.effectiveCredentials.isConfigured {
            logger.warning("No operator token (RECONCILER_TOKEN or a token file): pin, unpin, rollback and reconcile over HTTP are disabled")
        } else if let token = configuration.effectiveToken, token.utf8.count < 16 {
            logger.warning("The operator token is shorter than 16 characters; use a long random value")
        }
        let limits = configuration.connectionLimits
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(limits: limits, logger: logger)],
            idleTimeout: limits.idleTimeout.timeAmount,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: limits.maximumHeaderSize, maxHeaderListSize: limits.maximumHeaderSize, maxHeaderFieldCount: 100))
        return Application(
            responder: responder,
            server: .http1(configuration: http1),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("Operator API listening", metadata: ["http.host": "\(configuration.host)", "http.port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
    }

    /// The request handling alone, without a socket (what `makeApplication` serves).
    public static func makeResponder(
        control: any ReconcilerControl,
        configuration: OperatorServerConfiguration = OperatorServerConfiguration(),
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) -> OperatorResponder {
        let api = OperatorAPI(control: control, configuration: configuration, registry: registry, logger: logger)
        return OperatorResponder(
            routes: api.routes, authorization: OperatorAuthorization(credentials: configuration.effectiveCredentials), logger: logger)
    }
}
