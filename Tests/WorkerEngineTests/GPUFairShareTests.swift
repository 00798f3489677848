import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// The per-namespace GPU cap: a lease semaphore in Redis shared by every replica.
@Suite struct GPUFairShareTests {
    static func semaphore(_ key: String, capacity: Int, ttl: Duration = .seconds(30)) async throws -> GPULeaseSemaphore {
        GPULeaseSemaphore(connection: try await RedisConnection.connect(to: try TestServices.redisURL()), key: key, capacity: capacity, leaseTTL: ttl)
    }

    static func key() -> String { "clipnet:t\(UUID().uuidString.prefix(8)):gpu:ns:leases" }

    @Test func replicasTogetherNeverHoldMoreThanTheCap() async throws {
        let key = Self.key()
        // Three "replicas", each with its own connection, eight holders each.
        let replicas = [
            try await Self.semaphore(key, capacity: 3), try await Self.semaphore(key, capacity: 3), try await Self.semaphore(key, capacity: 3),
        ]
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, replica) in replicas.enumerated() {
                for holder in 0..<8 {
                    group.addTask {
                        let name = "r\(index)-h\(holder)"
                        while try await !replica.tryAcquire(holder: name).acquired { try await Task.sleep(for: .milliseconds(5)) }
                        occupancy.enter()
                        try await Task.sleep(for: .milliseconds(10))
                        occupancy.leave()
                        try await replica.release(holder: name)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(occupancy.most <= 3)
        #expect(occupancy.most >= 1)
        #expect(try await replicas[0].held() == 0)
    }

    @Test func aKilledWorkersLeaseExpiresAndItsSlotComesBack() async throws {
        let key = Self.key()
        let dying = try await Self.semaphore(key, capacity: 1)
        #expect(try await dying.tryAcquire(holder: "killed-worker").acquired)
        // The holder never releases (as after SIGKILL): the slot stays taken while its lease runs.
        let survivor = try await Self.semaphore(key, capacity: 1)
        #expect(try await !survivor.tryAcquire(holder: "survivor").acquired)
        // Its lease runs out (the expiry moved into the past, as time would move it, without a wait).
        _ = try await survivor.connection.command(["ZADD", key, "XX", "1", "killed-worker"])
        #expect(try await survivor.tryAcquire(holder: "survivor").acquired)
        #expect(try await !dying.renew(holder: "killed-worker"), "an expired lease cannot be renewed")
        #expect(try await survivor.held() == 1)
    }

    @Test func anotherNamespaceIsNotHeldBackByAFullOne() async throws {
        let environment = "t\(UUID().uuidString.prefix(8))"
        let keys = QueueKeys(environment: environment)
        let staging = try await Self.semaphore(keys.gpuLeases(namespace: "staging"), capacity: 2)
        for holder in ["a", "b"] { #expect(try await staging.tryAcquire(holder: holder).acquired) }
        #expect(try await !staging.tryAcquire(holder: "c").acquired)
        let production = try await Self.semaphore(keys.gpuLeases(namespace: "production"), capacity: 2)
        #expect(try await production.tryAcquire(holder: "p").acquired)
    }

    @Test func jobsOverTheCapWaitInTheQueueWithoutUsingAttempts() async throws {
        let fixture = try await QueueFixture()
        let metrics = WorkerMetrics()
        let semaphore = GPULeaseSemaphore(connection: fixture.queue.connection, key: fixture.queue.keys.gpuLeases(namespace: "ns"), capacity: 1)
        let gate = GPUGate(semaphore: semaphore, namespace: "ns", metrics: metrics, localWait: .milliseconds(50), deferDelay: .milliseconds(100))
        let occupancy = Occupancy()
        let finished = Mutex<[String: Int]>([:])
        let handler = ClosureHandler(jobType: "test:gpu") { job in
            try await gate.withSlot(job: job) {
                occupancy.enter()
                // Hold the slot until another job has been sent back to wait (or none is left to).
                _ = await eventually(within: .seconds(20)) {
                    metrics.gpuDeferrals(namespace: "ns") > 0 || finished.withLock { $0.count } == 3
                }
                occupancy.leave()
            }
            finished.withLock { $0[job.id] = job.attempt }
        }
        // maxAttempts 1: a deferral that counted as an attempt would dead-letter the job.
        try await fixture.queue.enqueue(contentsOf: (0..<4).map { JobEnvelope(id: "g\($0)", type: "test:gpu", maxAttempts: 1) })
        let done = try await fixture.withWorker(handlers: [handler], metrics: metrics) { _ in
            await QueueFixture.eventually { finished.withLock { $0.count } == 4 }
        }
        #expect(done)
        #expect(occupancy.most == 1)
        #expect(finished.withLock { $0.values.allSatisfy { $0 == 1 } }, "every job ran on its first attempt")
        #expect(try await fixture.queue.depth().dead == 0)
        #expect(metrics.gpuDeferrals(namespace: "ns") > 0)
        #expect(metrics.gpuWaitCount(namespace: "ns") == 4)
        #expect(metrics.gpuInFlight(namespace: "ns") == 0)
        let text = metrics.render()
        #expect(text.contains("clipnet_worker_gpu_in_flight{namespace=\"ns\"} 0"))
        #expect(text.contains("clipnet_worker_gpu_wait_seconds_count{namespace=\"ns\"} 4"))
        #expect(text.contains("clipnet_worker_gpu_deferred_total{namespace=\"ns\"}"))
    }

    @Test func aRateLimitedEndpointHoldsBackEveryCallUntilItsReset() {
        let backoff = EndpointBackoff()
        let start = ContinuousClock.now
        #expect(backoff.remainingDelay(now: start) == .zero)
        backoff.rateLimited(for: .seconds(5), now: start)
        backoff.rateLimited(for: .seconds(1), now: start)  // a shorter answer does not shorten the wait
        #expect(backoff.remainingDelay(now: start) == .seconds(5))
        #expect(backoff.remainingDelay(now: start + .seconds(2)) == .seconds(3))
        #expect(backoff.remainingDelay(now: start + .seconds(6)) == .zero)
    }

    @Test func theStagingCapIsSmallByDefaultAndProductionsIsNot() {
        #expect(HandlerContext.defaultGPUCap(environment: "staging") < HandlerContext.defaultGPUCap(environment: "production"))
    }
}

/// How many holders are inside a section now, and the most there ever were.
final class Occupancy: Sendable {
    private let state = Mutex((now: 0, most: 0))

    func enter() {
        state.withLock {
            $0.now += 1
            $0.most = max($0.most, $0.now)
        }
    }
    func leave() { state.withLock { $0.now -= 1 } }
    var most: Int { state.withLock { $0.most } }
}
