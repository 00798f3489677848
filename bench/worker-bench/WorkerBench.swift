import ClipnetJSON
import Foundation
import Logging
import RedisClient
import Synchronization
import WorkerEngine

/// No-op jobs per second through the worker engine (one process, per-job acknowledgement) beside
/// the ceiling of the same scripts without worker logic, and idle pick-up latency.
/// Usage: WorkerBench <redis-url> [jobs] [concurrency]
@main
struct WorkerBench {
    final class LatencyHandler: JobHandler, Sendable {
        let jobType = "bench:latency"
        let samples = Mutex<[Double]>([])
        func handle(_ job: Job) async throws {
            guard case .number(let sent)? = job.payload["sentMicros"] else { return }
            let now = Date().timeIntervalSince1970 * 1_000_000
            samples.withLock { $0.append((now - sent) / 1000) }
        }
    }

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count > 1 else { print("usage: WorkerBench <redis-url> [jobs] [concurrency]"); return }
        let url = arguments[1]
        let jobs = arguments.count > 2 ? Int(arguments[2]) ?? 50_000 : 50_000
        let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 8 : 8
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let redisURL = try RedisURL(parsing: url)

        func freshQueue(_ name: String) async throws -> JobQueue {
            JobQueue(connection: try await RedisConnection.connect(to: url), keys: QueueKeys(environment: "bench-\(name)-\(UUID().uuidString.prefix(6))"))
        }
        func fill(_ queue: JobQueue, type: String) async throws {
            let envelopes = (0..<jobs).map { JobEnvelope(id: "j\($0)", type: type) }
            try await queue.enqueue(contentsOf: envelopes, batch: 2000)
        }

        // (a) The ceiling: the same take-and-acknowledge script, no worker logic.
        let ceilingQueue = try await freshQueue("ceiling")
        try await fill(ceilingQueue, type: "bench:noop")
        let clock = ContinuousClock()
        var started = clock.now
        let drained = try await QueueCeiling.drain(queue: ceilingQueue, redisURL: redisURL, concurrency: concurrency)
        let ceilingRate = Double(drained) / seconds(clock.now - started)

        // The worker engine with a no-op handler.
        let workerQueue = try await freshQueue("worker")
        try await fill(workerQueue, type: "bench:noop")
        let metrics = WorkerMetrics()
        let processor = JobProcessor(workerID: "bench", queue: workerQueue, redisURL: redisURL,
                                     registry: JobRegistry([NoopHandler(jobType: "bench:noop")]),
                                     configuration: ProcessorConfiguration(concurrency: concurrency, blockTimeout: .milliseconds(100)),
                                     metrics: metrics, logger: logger)
        let heartbeat = HeartbeatService(queue: workerQueue, workerID: "bench", version: "bench", concurrency: concurrency, jobTypes: [],
                                         metrics: metrics, logger: logger)
        try await heartbeat.beat()
        started = clock.now
        let workerRate: Double = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            while metrics.value(.processed, type: "bench:noop") < jobs { try await Task.sleep(for: .milliseconds(2)) }
            let rate = Double(jobs) / seconds(clock.now - started)
            processor.beginShutdown()
            try await group.waitForAll()
            return rate
        }

        // Idle pick-up latency: one job at a time into an idle worker.
        let latencyQueue = try await freshQueue("latency")
        let handler = LatencyHandler()
        let idle = JobProcessor(workerID: "bench-idle", queue: latencyQueue, redisURL: redisURL, registry: JobRegistry([handler]),
                                configuration: ProcessorConfiguration(concurrency: concurrency), metrics: WorkerMetrics(), logger: logger)
        let samples: [Double] = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await idle.run() }
            try await Task.sleep(for: .milliseconds(300))
            for index in 0..<300 {
                let payload: JSONValue = .object(["sentMicros": .number(Date().timeIntervalSince1970 * 1_000_000)])
                try await latencyQueue.enqueue(JobEnvelope(id: "l\(index)", type: "bench:latency", payload: payload))
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(200))
            idle.beginShutdown()
            try await group.waitForAll()
            return handler.samples.withLock { $0 }.sorted()
        }
        for queue in [ceilingQueue, workerQueue, latencyQueue] {
            _ = try? await queue.connection.command(["DEL", queue.keys.queue, queue.keys.leases, queue.keys.heartbeat(worker: "bench")])
        }
        func percentile(_ p: Double) -> Double { samples.isEmpty ? .nan : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        print("jobs \(jobs) concurrency \(concurrency)")
        print(String(format: "ceiling (same scripts, no worker logic): %.0f jobs/s", ceilingRate))
        print(String(format: "worker engine, no-op handler, per-job ack: %.0f jobs/s (%.0f %% of ceiling)", workerRate, 100 * workerRate / ceilingRate))
        print(String(format: "vs arq 1100 jobs/s: %.1fx; vs RQ SimpleWorker 130 jobs/s: %.1fx", workerRate / 1100, workerRate / 130))
        print(String(format: "idle pick-up latency over %d jobs: p50 %.2f ms, p99 %.2f ms", samples.count, percentile(0.5), percentile(0.99)))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
