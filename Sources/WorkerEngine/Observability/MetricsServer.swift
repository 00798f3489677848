import Hummingbird
public import Logging
public import ServiceLifecycle

/// The worker's small HTTP listener: `/metrics` (Prometheus text) and `/health`. A `Service`, so it
/// starts and stops with the worker's `ServiceGroup`. Binds loopback unless given another host.
public struct MetricsServer: Service {
    public let host: String
    public let port: Int
    private let metrics: WorkerMetrics
    private let logger: Logger

    public init(host: String = "127.0.0.1", port: Int, metrics: WorkerMetrics, logger: Logger) {
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        router.get("metrics") { [metrics] _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("health") { _, _ -> String in "ok\n" }
        let application = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await application.run()
    }
}
