import Foundation
import RedisClient
import Testing
@testable import WorkerEngine

@Suite struct QueueRecoveryTests {
    @Test func gracefulShutdownReturnsUnfinishedJobsToTheQueue() async throws {
        let fixture = try await QueueFixture()
        let handler = BlockingHandler()
        try await fixture.queue.enqueue(contentsOf: (0..<5).map { JobEnvelope(id: "slow-\($0)", type: "test:block") })
        let configuration = ProcessorConfiguration(concurrency: 2, blockTimeout: .milliseconds(200), gracePeriod: .milliseconds(300))
        let started = try await fixture.withWorker(handlers: [handler], configuration: configuration) { _ in
            await QueueFixture.eventually { handler.startedCount == 2 }
        }
        #expect(started)
        let depth = try await fixture.queue.depth()
        #expect(depth.queued == 5)
        #expect(depth.inFlight == 0)
        #expect(depth.dead == 0)
    }

    @Test func reaperReturnsJobsOfAWorkerWithoutHeartbeatButNotOfALiveOne() async throws {
        let fixture = try await QueueFixture()
        let keys = fixture.queue.keys
        let connection = fixture.queue.connection
        let ghostJob = try JobEnvelope(id: "orphan", type: "test:record").encoded()
        let liveJob = try JobEnvelope(id: "busy", type: "test:record").encoded()
        _ = try await connection.command(["LPUSH", .string(keys.inflight(worker: "ghost", slot: 0)), .bytes(ghostJob)])
        _ = try await connection.command(["LPUSH", .string(keys.inflight(worker: "alive", slot: 3)), .bytes(liveJob)])
        _ = try await connection.command(["SET", .string(keys.heartbeat(worker: "alive")), "{}", "PX", "10000"])
        let returned = try await fixture.queue.reap(excluding: "me")
        #expect(returned == 1)
        let queued = try await connection.command(["LRANGE", .string(keys.queue), "0", "-1"]).array?.compactMap(\.bytes)
        #expect(queued == [ghostJob])
        #expect(try await fixture.queue.inflight(key: keys.inflight(worker: "alive", slot: 3)) == [liveJob])
    }

    @Test func reaperReturnsJobsOfAWorkerWhoseLeaseExpired() async throws {
        let fixture = try await QueueFixture()
        let keys = fixture.queue.keys
        let connection = fixture.queue.connection
        let job = try JobEnvelope(id: "stale", type: "test:record").encoded()
        _ = try await connection.command(["LPUSH", .string(keys.inflight(worker: "paused", slot: 0)), .bytes(job)])
        _ = try await connection.command(["SET", .string(keys.heartbeat(worker: "paused")), "{}", "PX", "10000"])
        _ = try await connection.command(["ZADD", .string(keys.leases), "1", "paused"])
        #expect(try await fixture.queue.reap(excluding: nil) == 1)
        #expect(try await fixture.queue.depth().queued == 1)
    }

    @Test func slotRecoveryReplaysTheLastAcknowledgementAndReturnsAnUnreportedFetch() async throws {
        let fixture = try await QueueFixture()
        let slot = QueueSlot(index: 0, worker: "w", keys: fixture.queue.keys, connection: fixture.queue.connection,
                             deadSetCapacity: 10, idempotencyTTL: .seconds(60))
        try await fixture.queue.enqueue(contentsOf: ["a", "b"].map { JobEnvelope(id: $0, type: "t") })
        let first = try #require(try await slot.settle(nil, fetch: true))
        // The ack of `first` and the fetch of the next ran, but pretend the reply was lost.
        _ = try await slot.settle(.acknowledge(raw: first, doneKey: nil), fetch: true)
        let returned = try await slot.recover(replaying: .acknowledge(raw: first, doneKey: nil))
        #expect(returned == 1)
        #expect(try await fixture.queue.depth().queued == 1)
        #expect(try await fixture.queue.inflight(key: slot.key).isEmpty)
    }

    @Test func dispositionScriptsAreIdempotentWhenReplayed() async throws {
        let fixture = try await QueueFixture()
        let slot = QueueSlot(index: 0, worker: "w", keys: fixture.queue.keys, connection: fixture.queue.connection,
                             deadSetCapacity: 10, idempotencyTTL: .seconds(60))
        try await fixture.queue.enqueue(JobEnvelope(id: "r", type: "t"))
        let raw = try #require(try await slot.settle(nil, fetch: true))
        let retry = QueueSlot.Disposition.retry(raw: raw, rewritten: raw + Array(" ".utf8), after: .seconds(60))
        _ = try await slot.settle(retry, fetch: false)
        _ = try await slot.settle(retry, fetch: false)
        #expect(try await fixture.queue.depth().retrying == 1)
    }
}
