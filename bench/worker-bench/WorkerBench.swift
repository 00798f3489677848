import ClipnetJSON
import Foundation
import Logging
import RedisClient
import Synchronization
import WorkerEngine

/// No-op jobs per second through the worker engine (one process, per-job acknowledgement) beside
/// the ceiling of the same scripts without worker logic, in alternating rounds on the same Redis,
/// then idle pick-up latency. Baselines measured in the same run by other programs (RQ, arq) are
/// passed in as `name=jobsPerSecond` and compared.
///
/// Usage: WorkerBench <redis-url> [jobs=50000] [concurrency=8] [rounds=3] [name=jobsPerSecond ...]
///        WorkerBench pipeline [clips=10]   (the clip pipeline per clip against its external calls)
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

    /// The no-op handler, counting: the run ends the moment the last job has run, without a
    /// polling loop whose wake-ups would cost the engine CPU the ceiling does not pay.
    final class CountingNoop: JobHandler, Sendable {
        let jobType = "bench:noop"
        let target: Int
        let count = Atomic<Int>(0)
        let done = AsyncStream<Void>.makeStream()
        init(target: Int) { self.target = target }
        func handle(_ job: Job) async throws {
            if count.add(1, ordering: .relaxed).newValue == target { done.continuation.finish() }
        }
        func wait() async { for await _ in done.stream {} }
    }

    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "pipeline" {
            try await PipelineBench.run(clips: arguments.count > 1 ? Int(arguments[1]) ?? 10 : 10)
            return
        }
        let baselines: [(name: String, rate: Double)] = arguments.compactMap { argument in
            let parts = argument.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let rate = Double(parts[1]) else { return nil }
            return (String(parts[0]), rate)
        }
        arguments.removeAll { $0.contains("=") }
        guard let url = arguments.first else {
            print("usage: WorkerBench <redis-url> [jobs] [concurrency] [rounds] [name=jobsPerSecond ...]")
            return
        }
        let jobs = arguments.count > 1 ? Int(arguments[1]) ?? 50_000 : 50_000
        let concurrency = arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8
        let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 3 : 3
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let redisURL = try RedisURL(parsing: url)

        func freshQueue(_ name: String) async throws -> JobQueue {
            JobQueue(
                connection: try await RedisConnection.connect(to: url), keys: QueueKeys(environment: "bench-\(name)-\(UUID().uuidString.prefix(6))"))
        }
        func fill(_ queue: JobQueue, type: String) async throws {
            let envelopes = (0..<jobs).map { JobEnvelope(id: "j\($0)", type: type) }
            try await queue.enqueue(contentsOf: envelopes, batch: 2000)
        }
        func cleanUp(_ queue: JobQueue) async {
            _ = try? await queue.connection.command(["DEL", queue.keys.queue, queue.keys.leases, queue.keys.heartbeat(worker: "bench")])
        }
        let clock = ContinuousClock()

        let probe = try await RedisConnection.connect(to: url)
        /// CPU seconds used so far by this process and by the Redis server.
        func cpu() async throws -> (worker: Double, redis: Double) {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let worker = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            let info = try await probe.command(["INFO", "cpu"]).string ?? ""
            var redis = 0.0
            for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("used_cpu_sys:") || line.hasPrefix("used_cpu_user:") {
                redis += Double(line.split(separator: ":")[1]) ?? 0
            }
            return (worker, redis)
        }
        /// Microseconds of CPU per job in this process and in Redis over a timed section.
        struct Measure {
            var rate: Double
            var workerMicros: Double
            var redisMicros: Double
        }
        func measured(_ count: Int, _ body: () async throws -> Void) async throws -> Measure {
            let before = try await cpu()
            let started = clock.now
            try await body()
            let elapsed = seconds(clock.now - started)
            let after = try await cpu()
            return Measure(
                rate: Double(count) / elapsed, workerMicros: (after.worker - before.worker) / Double(count) * 1e6,
                redisMicros: (after.redis - before.redis) / Double(count) * 1e6)
        }

        // (a) The ceiling: the same take-and-acknowledge script, no worker logic.
        func ceiling() async throws -> Measure {
            let queue = try await freshQueue("ceiling")
            try await fill(queue, type: "bench:noop")
            var drained = 0
            var result = try await measured(jobs) {
                drained = try await QueueCeiling.drain(queue: queue, redisURL: redisURL, concurrency: concurrency)
            }
            precondition(drained == jobs, "the ceiling drained \(drained) of \(jobs)")
            result.rate = result.rate * Double(drained) / Double(jobs)
            await cleanUp(queue)
            return result
        }

        // The worker engine with a no-op handler.
        func engine() async throws -> Measure {
            let queue = try await freshQueue("worker")
            try await fill(queue, type: "bench:noop")
            let metrics = WorkerMetrics()
            let noop = CountingNoop(target: jobs)
            let processor = JobProcessor(
                workerID: "bench", queue: queue, redisURL: redisURL,
                registry: JobRegistry([noop]),
                configuration: ProcessorConfiguration(concurrency: concurrency, blockTimeout: .milliseconds(100)),
                metrics: metrics, logger: logger)
            let heartbeat = HeartbeatService(
                queue: queue, workerID: "bench", version: "bench", concurrency: concurrency, jobTypes: [],
                metrics: metrics, logger: logger)
            try await heartbeat.beat()
            let result: Measure = try await withThrowingTaskGroup(of: Void.self) { group in
                let result = try await measured(jobs) {
                    group.addTask { try await processor.run() }
                    await noop.wait()
                }
                processor.beginShutdown()
                try await group.waitForAll()
                return result
            }
            await cleanUp(queue)
            return result
        }

        // For profiling one side alone (valgrind --tool=callgrind): WORKER_BENCH_ONLY=ceiling|engine.
        switch ProcessInfo.processInfo.environment["WORKER_BENCH_ONLY"] {
        case "ceiling"?:
            print(String(format: "ceiling %.0f jobs/s", try await ceiling().rate))
            return
        case "engine"?:
            print(String(format: "engine %.0f jobs/s", try await engine().rate))
            return
        default: break
        }

        var ceilings: [Measure] = []
        var engines: [Measure] = []
        print("jobs \(jobs) per round, concurrency \(concurrency), \(rounds) rounds (ceiling and engine alternate)")
        for round in 1...max(1, rounds) {
            let a = try await ceiling()
            let e = try await engine()
            ceilings.append(a)
            engines.append(e)
            print(
                String(
                    format:
                        "round %d: ceiling %.0f jobs/s (CPU/job: %.1f us here, %.1f us Redis), engine %.0f jobs/s (%.1f us, %.1f us), engine/ceiling %.1f %%",
                    round, a.rate, a.workerMicros, a.redisMicros, e.rate, e.workerMicros, e.redisMicros, 100 * e.rate / a.rate))
        }
        let ceilingRates = ceilings.map(\.rate)
        let engineRates = engines.map(\.rate)

        // Idle pick-up latency: one job at a time into an idle worker.
        let latencyQueue = try await freshQueue("latency")
        let handler = LatencyHandler()
        let idle = JobProcessor(
            workerID: "bench-idle", queue: latencyQueue, redisURL: redisURL, registry: JobRegistry([handler]),
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
        await cleanUp(latencyQueue)
        func percentile(_ p: Double) -> Double { samples.isEmpty ? .nan : samples[min(samples.count - 1, Int(Double(samples.count) * p))] }

        let ceilingRate = median(ceilingRates)
        let engineRate = median(engineRates)
        let ratios = zip(engineRates, ceilingRates).map { $0 / $1 }
        print("")
        print(String(format: "(a) ceiling (same scripts, no worker logic), median: %.0f jobs/s", ceilingRate))
        print(String(format: "worker engine, no-op handler, per-job ack, median:  %.0f jobs/s", engineRate))
        print(
            String(
                format: "engine / ceiling: median of rounds %.1f %% (min %.1f %%, max %.1f %%)",
                100 * median(ratios), 100 * (ratios.min() ?? 0), 100 * (ratios.max() ?? 0)))
        print(
            String(
                format: "CPU per job, medians: ceiling %.1f us + Redis %.1f us; engine %.1f us + Redis %.1f us",
                median(ceilings.map(\.workerMicros)), median(ceilings.map(\.redisMicros)),
                median(engines.map(\.workerMicros)), median(engines.map(\.redisMicros))))
        for baseline in baselines {
            print(
                "(b) \(baseline.name): " + String(format: "%.0f jobs/s", baseline.rate)
                    + "; engine / \(baseline.name) = " + String(format: "%.1fx", engineRate / baseline.rate))
        }
        if let fastest = baselines.max(by: { $0.rate < $1.rate }) {
            print("engine / fastest Python worker (\(fastest.name)) = " + String(format: "%.1fx", engineRate / fastest.rate))
        }
        print(String(format: "idle pick-up latency over %d jobs: p50 %.2f ms, p99 %.2f ms", samples.count, percentile(0.5), percentile(0.99)))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
