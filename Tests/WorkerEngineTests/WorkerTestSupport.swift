import ClipnetConfig
import Foundation
import HTTPTransport
import Logging
import PlatformEmulators
import RedisClient
import ServiceLifecycle
import Synchronization
import TestSupport

@testable import WorkerEngine

/// A fresh environment name per test, so tests sharing the test Redis never see each other's keys.
struct QueueFixture {
    let environment: String
    let redisURL: String
    let queue: JobQueue

    init(redisURL: String? = nil) async throws {
        environment = "t\(UUID().uuidString.lowercased().prefix(10))"
        self.redisURL = try redisURL ?? TestServices.redisURL()
        queue = JobQueue(connection: try await RedisConnection.connect(to: self.redisURL), keys: QueueKeys(environment: environment))
    }

    var settings: WorkerSettings {
        WorkerSettings(
            environment: environment, redisURL: redisURL, cloudinaryFolder: "\(environment)_clips/",
            runpodNamespace: "\(environment)-ns", runpodModelPaths: [:])
    }

    static let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a processor and the housekeeping service until `body` returns, then shuts the processor
    /// down gracefully and waits for it.
    func withWorker<T: Sendable>(
        handlers: [any JobHandler],
        configuration: ProcessorConfiguration = ProcessorConfiguration(
            concurrency: 4, blockTimeout: .milliseconds(200),
            retry: RetryPolicy(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))),
        workerID: String = "w\(UUID().uuidString.lowercased().prefix(6))",
        metrics: WorkerMetrics = WorkerMetrics(),
        reapInterval: Duration = .seconds(3),
        _ body: @Sendable (JobProcessor) async throws -> T
    ) async throws -> T {
        let url = try RedisURL(parsing: redisURL)
        let processor = JobProcessor(
            workerID: workerID, queue: queue, redisURL: url, registry: JobRegistry(handlers),
            configuration: configuration, metrics: metrics, logger: Self.quietLogger)
        let heartbeat = HeartbeatService(
            queue: queue, workerID: workerID, version: "test", concurrency: configuration.concurrency,
            jobTypes: [], metrics: metrics, logger: Self.quietLogger)
        try await heartbeat.beat()
        let housekeeping = HousekeepingService(
            queue: queue, workerID: workerID, metrics: metrics,
            promoteInterval: .milliseconds(20), reapInterval: reapInterval, logger: Self.quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            group.addTask { try await housekeeping.run() }
            defer { group.cancelAll() }
            let result: T
            do {
                result = try await body(processor)
            } catch {
                processor.beginShutdown()
                throw error
            }
            processor.beginShutdown()
            _ = try await group.next()
            return result
        }
    }

    /// `TestSupport.eventually`, under the name the worker tests use.
    static func eventually(_ limit: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
        try await TestSupport.eventually(within: limit, condition)
    }
}

/// Records every delivery it gets; fails the first `failures` attempts of each job.
final class RecordingHandler: JobHandler, Sendable {
    let jobType: String
    private let failures: Int
    private let deliveries = Mutex<[String: Int]>([:])
    private let times = Mutex<[String: Int64]>([:])

    init(jobType: String = "test:record", failures: Int = 0) {
        self.jobType = jobType
        self.failures = failures
    }

    func handle(_ job: Job) async throws {
        deliveries.withLock { $0[job.id, default: 0] += 1 }
        times.withLock { $0[job.id] = JobEnvelope.nowMilliseconds() }
        if job.attempt <= failures { throw JobFailure.transient("planned failure \(job.attempt)") }
    }

    var counts: [String: Int] { deliveries.withLock { $0 } }
    var distinct: Int { deliveries.withLock { $0.count } }
    func time(of id: String) -> Int64? { times.withLock { $0[id] } }
}

/// Blocks until cancelled, counting the jobs it started.
final class BlockingHandler: JobHandler, Sendable {
    let jobType = "test:block"
    private let started = Mutex(0)

    func handle(_ job: Job) async throws {
        started.withLock { $0 += 1 }
        while true { try await Task.sleep(for: .seconds(60)) }
    }

    var startedCount: Int { started.withLock { $0 } }
}

/// A RunPod emulator on a loopback port for the duration of `body`, stopped afterwards whether
/// `body` throws or not.
func withRunPodEmulator<T: Sendable>(
    _ configuration: RunPodEmulator.Configuration = RunPodEmulator.Configuration(),
    _ body: @Sendable (RunPodEmulator, EmulatorServer, HTTPClient) async throws -> T
) async throws -> T {
    let emulator = RunPodEmulator(configuration: configuration)
    let server = try await emulator.start()
    let http = HTTPClient(runtime: try CurlRuntime())
    do {
        let result = try await body(emulator, server, http)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// A handler whose body is a closure.
struct ClosureHandler: JobHandler {
    let jobType: String
    let body: @Sendable (Job) async throws -> Void

    func handle(_ job: Job) async throws { try await body(job) }
}
