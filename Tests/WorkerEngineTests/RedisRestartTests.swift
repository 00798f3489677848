import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// A Redis of its own (appendonly yes), restarted in place in the middle of a run: the shared test
/// Redis stays up for the tests running beside this one.
@Suite struct RedisRestartTests {
    /// A redis-server child in the foreground (no daemonizing), restarted on the same port and data
    /// directory; started and awaited through `TestChild`, so stopping it never blocks the pool.
    final class OwnRedis: Sendable {
        let directory: TemporaryDirectory
        let port: Int
        private let child = Mutex<TestChild?>(nil)
        var url: String { "redis://127.0.0.1:\(port)/0" }

        init() throws {
            directory = try TemporaryDirectory(prefix: "clipnet-worker-redis")
            port = try UnusedLoopbackPort.make()
        }

        func start() async throws {
            let started = try TestChild(
                "/usr/bin/redis-server",
                [
                    "--bind", "127.0.0.1", "--port", "\(port)", "--dir", directory.path, "--appendonly", "yes",
                    "--appendfsync", "everysec", "--save", "", "--logfile", directory.appending("redis.log"),
                ])
            child.withLock { $0 = started }
            // A restarted Redis accepts connections while it is still loading its append-only file
            // (commands then fail with LOADING): ready means PING answers.
            _ = await QueueFixture.eventually(.seconds(10)) {
                guard
                    let connection = try? await RedisConnection.connect(to: self.url, options: .init(connectTimeout: .seconds(1), connectAttempts: 1))
                else {
                    return false
                }
                return (try? await connection.command(["PING"]))?.string == "PONG"
            }
        }

        func stop() async throws {
            let connection = try await RedisConnection.connect(to: url)
            _ = try? await connection.command(["SHUTDOWN"])
            let stopped = child.withLock { child in
                defer { child = nil }
                return child
            }
            await stopped?.exited()
        }
    }

    @Test func redisRestartInTheMiddleOfARunLosesNoJob() async throws {
        let redis = try OwnRedis()
        try await redis.start()
        let fixture = try await QueueFixture(redisURL: redis.url)
        let handler = SlowRecordingHandler()
        let ids = (0..<3000).map { "restart-\($0)" }
        try await fixture.queue.enqueue(contentsOf: ids.map { JobEnvelope(id: $0, type: "test:slow") })
        let completed = try await fixture.withWorker(handlers: [handler]) { _ in
            _ = await QueueFixture.eventually { handler.recorder.distinct >= 500 }
            try await redis.stop()
            try await Task.sleep(for: .milliseconds(500))
            try await redis.start()
            return await QueueFixture.eventually(.seconds(60)) {
                // A retryable error (the connection being re-established) means "not yet".
                guard let depth = try? await fixture.queue.depth() else { return false }
                return depth.queued + depth.inFlight + depth.retrying == 0 && handler.recorder.distinct + depth.dead >= ids.count
            }
        }
        try? await redis.stop()
        #expect(completed)
        let missing = Set(ids).subtracting(handler.recorder.counts.keys)
        #expect(missing.isEmpty, "lost \(missing.count) jobs")
        #expect(handler.recorder.distinct >= 500)
    }
}

/// Records deliveries and takes a millisecond, so the run is still going when Redis stops.
final class SlowRecordingHandler: JobHandler, Sendable {
    let jobType = "test:slow"
    let recorder = RecordingHandler(jobType: "test:slow")

    func handle(_ job: Job) async throws {
        try await Task.sleep(for: .milliseconds(1))
        try await recorder.handle(job)
    }
}
