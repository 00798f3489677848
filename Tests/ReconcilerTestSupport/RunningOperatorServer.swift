import Foundation
public import Logging
public import Prometheus
public import Reconciler
public import ReconcilerHTTP
import ServiceLifecycle

/// The operator server on a real loopback socket (port 0), for tests that need one: the browser
/// test, the CLI end to end, the benchmark. `start` returns once it listens; `stop` shuts it
/// down gracefully and waits until the socket is closed.
public final class RunningOperatorServer: Sendable {
    public let port: Int
    public let control: any ReconcilerControl
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, control: any ReconcilerControl, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.control = control
        self.group = group
        self.task = task
    }

    public static func start(
        control: any ReconcilerControl,
        configuration: OperatorServerConfiguration = OperatorServerConfiguration(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger? = nil
    ) async throws -> RunningOperatorServer {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let quiet =
            logger
            ?? {
                var logger = Logger(label: "operator-server.test")
                logger.logLevel = .error
                return logger
            }()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = OperatorServer.makeApplication(
            control: control, configuration: configuration, registry: registry, logger: quiet,
            onListening: { port in
                continuation.yield(port)
                continuation.finish()
            })
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            let outcome = await task.result
            throw StartFailure(description: "the operator server stopped before listening: \(outcome)")
        }
        return RunningOperatorServer(port: port, control: control, group: group, task: task)
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// Starts a server, runs `body`, and stops the server whatever `body` does.
    public static func with<T>(
        control: any ReconcilerControl, configuration: OperatorServerConfiguration = OperatorServerConfiguration(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), _ body: (RunningOperatorServer) async throws -> T
    ) async throws -> T {
        let server = try await start(control: control, configuration: configuration, registry: registry)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }
}
