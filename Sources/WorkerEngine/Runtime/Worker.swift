public import ClipnetConfig
public import Logging
import RedisClient
public import ServiceLifecycle
import UnixSignals

/// One worker process: the isolation guard, then heartbeat, housekeeping, the metrics listener and
/// the job processor in one `ServiceGroup` with graceful shutdown on SIGTERM and SIGINT.
public final class Worker: Sendable {
    public let options: WorkerOptions
    public let registry: JobRegistry
    public let metrics: WorkerMetrics
    private let logger: Logger

    /// - Parameter metrics: shared with the handlers that report their own (the GPU gate).
    public init(options: WorkerOptions, registry: JobRegistry, metrics: WorkerMetrics = WorkerMetrics(), logger: Logger) {
        self.options = options
        self.registry = registry
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "environment"] = "\(options.settings.environment)"
        logger[metadataKey: "worker.id"] = "\(options.workerID)"
        self.logger = logger
    }

    /// The start-up isolation check: throws `QueueError(.isolation)` with every reason, and no
    /// secret value, when the settings name a production resource or another environment's folder.
    public static func checkIsolation(_ settings: WorkerSettings, guard isolationGuard: WorkerIsolationGuard) throws {
        let problems = isolationGuard.problems(settings)
        guard problems.isEmpty else {
            throw QueueError(.isolation, "refusing to start the \(settings.environment) worker: " + problems.joined(separator: "; "))
        }
    }

    /// Connects, writes the first heartbeat and returns the services in start order.
    public func makeServices() async throws -> (services: [any Service], processor: JobProcessor) {
        let url = try RedisURL(parsing: options.settings.redisURL.reveal())
        let connection = RedisConnection(
            url: url,
            options: RedisConnection.Options(commandTimeout: options.processor.commandTimeout, clientName: "clipnet-worker.\(options.workerID)"),
            logger: logger)
        let queue = JobQueue(connection: connection, keys: options.keys, deadSetCapacity: options.processor.deadSetCapacity)
        let heartbeat = HeartbeatService(
            queue: queue, workerID: options.workerID, version: options.version, concurrency: options.processor.concurrency,
            jobTypes: registry.types, metrics: metrics, interval: options.heartbeatInterval, ttl: options.heartbeatTTL, logger: logger)
        try await heartbeat.beat()
        let housekeeping = HousekeepingService(
            queue: queue, workerID: options.workerID, metrics: metrics,
            reapInterval: options.reapInterval,
            defaultMaxAttempts: options.processor.retry.defaultMaxAttempts, logger: logger)
        let processor = JobProcessor(
            workerID: options.workerID, queue: queue, redisURL: url, registry: registry,
            configuration: options.processor, metrics: metrics, logger: logger)
        var services: [any Service] = [heartbeat, housekeeping]
        if let port = options.metricsPort {
            services.append(MetricsServer(host: options.metricsHost, port: port, metrics: metrics, logger: logger))
        }
        services.append(processor)
        return (services, processor)
    }

    /// Runs until SIGTERM/SIGINT (graceful) or a service fails.
    ///
    /// The signal handlers are installed first, by the outer group, and only then does the
    /// runtime connect and write the first heartbeat: a SIGTERM that arrives during start-up is a
    /// graceful shutdown, not the default action that kills the process with its heartbeat left.
    public func run() async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [ServiceGroupConfiguration.ServiceConfiguration(service: WorkerRuntime(worker: self, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger))
        try await group.run()
    }
}

/// The worker's services, started in an inner group once the first heartbeat is written; the
/// inner group inherits the outer group's graceful shutdown (as Hummingbird's application does).
struct WorkerRuntime: Service {
    let worker: Worker
    let logger: Logger

    func run() async throws {
        let (services, _) = try await worker.makeServices()
        logger.info("Worker started", metadata: ["version": "\(worker.options.version)"])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [],
                cancellationSignals: [],
                logger: logger))
        try await group.run()
    }
}
