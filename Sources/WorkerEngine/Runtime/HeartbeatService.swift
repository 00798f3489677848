import ClipnetContracts
import Foundation
public import Logging
import RedisClient
public import ServiceLifecycle

/// Writes `clipnet:<env>:workers:<id>` (with a TTL) and renews the worker's lease every `interval`,
/// so the key disappears and the lease lapses within `ttl` of the worker dying. On graceful
/// shutdown (after the processor, which starts later and stops earlier) it deletes both.
public final class HeartbeatService: Service {
    public let queue: JobQueue
    public let workerID: String
    public let version: String
    public let interval: Duration
    public let ttl: Duration
    private let concurrency: Int
    private let jobTypes: [String]
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let startedAt = Date()

    public init(
        queue: JobQueue, workerID: String, version: String, concurrency: Int, jobTypes: [String], metrics: WorkerMetrics,
        interval: Duration = .seconds(2), ttl: Duration = .seconds(10), logger: Logger
    ) {
        self.queue = queue
        self.workerID = workerID
        self.version = version
        self.concurrency = concurrency
        self.jobTypes = jobTypes
        self.metrics = metrics
        self.interval = interval
        self.ttl = ttl
        self.logger = logger
    }

    /// One heartbeat; also called once before the worker takes its first job.
    public func beat() async throws {
        let formatter = ISO8601DateFormatter()
        let heartbeat = WorkerHeartbeat(
            workerId: workerID, environment: queue.keys.environment, version: version,
            startedAt: formatter.string(from: startedAt), heartbeatAt: formatter.string(from: Date()),
            inFlight: metrics.inFlight, concurrency: concurrency, jobTypes: jobTypes,
            host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        _ = try await QueueScripts.heartbeat.run(
            on: queue.connection, keys: [.string(queue.keys.heartbeat(worker: workerID)), .string(queue.keys.leases)],
            arguments: [.bytes(Array(try encoder.encode(heartbeat))), RedisArgument(QueueSlot.milliseconds(ttl)), .string(workerID)])
    }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await beat()
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    logger.warning("Heartbeat failed", metadata: ["error": "\(error)", "failures": "\(failures)"])
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
        _ = try? await queue.connection.pipeline([
            ["DEL", .string(queue.keys.heartbeat(worker: workerID))],
            ["ZREM", .string(queue.keys.leases), .string(workerID)],
        ])
        logger.info("Heartbeat removed")
    }
}
