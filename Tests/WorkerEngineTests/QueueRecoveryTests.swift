import ClipnetJSON
import Foundation
import RedisClient
import Synchronization
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
        let reaped = try await fixture.queue.reap(excluding: "me")
        #expect(reaped == JobQueue.Reaped(returned: 1, deadLettered: []))
        let queued = try #require(try await connection.command(["LRANGE", .string(keys.queue), "0", "-1"]).array?.compactMap(\.bytes))
        #expect(try queued.map { try JobEnvelope.parse($0).id } == ["orphan"])
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
        #expect(try await fixture.queue.reap(excluding: nil).returned == 1)
        #expect(try await fixture.queue.depth().queued == 1)
    }

    @Test func aDeliveryWhoseWorkerDiedCountsAsAnAttempt() async throws {
        let fixture = try await QueueFixture()
        let keys = fixture.queue.keys
        let raw = try JobEnvelope(id: "orphan", type: "test:record", maxAttempts: 3).encoded()
        _ = try await fixture.queue.connection.command(["LPUSH", .string(keys.inflight(worker: "ghost", slot: 0)), .bytes(raw)])
        _ = try await fixture.queue.reap(excluding: nil)
        let back = try #require(try await fixture.queue.connection.command(["RPOP", .string(keys.queue)]).bytes)
        let envelope = try JobEnvelope.parse(back)
        #expect(envelope.attempts == 1)
        #expect(envelope.crashes == 1)
        #expect(envelope.lastError?.contains("ghost") == true)
        #expect(envelope.payload == .object([:]))
    }

    @Test func aJobWhoseWorkerDiesMaxAttemptsTimesGoesToTheDeadSet() async throws {
        let fixture = try await QueueFixture()
        try await fixture.queue.enqueue(JobEnvelope(id: "poison", type: "test:crash", maxAttempts: 3))
        // Three workers in turn take the job and die with it (no heartbeat: they are gone).
        for round in 1...3 {
            let slot = QueueSlot(
                index: 0, worker: "crashed-\(round)", keys: fixture.queue.keys, connection: fixture.queue.connection,
                deadSetCapacity: 10, idempotencyTTL: .seconds(60))
            let taken = try #require(try await slot.settle(nil, fetch: true), "round \(round): the job was not back on the queue")
            #expect(try JobEnvelope.parse(taken).attempts == (round == 1 ? nil : round - 1))
            let reaped = try await fixture.queue.reap(excluding: "me", defaultMaxAttempts: 5)
            #expect(reaped == JobQueue.Reaped(returned: round < 3 ? 1 : 0, deadLettered: round < 3 ? [] : ["test:crash"]))
        }
        let depth = try await fixture.queue.depth()
        #expect(depth == JobQueue.Depth(queued: 0, inFlight: 0, retrying: 0, delayed: 0, dead: 1))
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.id == "poison")
        #expect(letter.reason == .workerDied)
        #expect(letter.attempts == 3)
        #expect(letter.error.hasPrefix("worker died while running it 3 times"))
        #expect(letter.worker == "crashed-3")
    }

    @Test func defaultMaxAttemptsAppliesToReapedJobsWithoutTheirOwn() async throws {
        let fixture = try await QueueFixture()
        var envelope = JobEnvelope(id: "poison", type: "test:crash")
        envelope.attempts = 1
        envelope.crashes = 1
        _ = try await fixture.queue.connection.command([
            "LPUSH", .string(fixture.queue.keys.inflight(worker: "ghost", slot: 0)),
            .bytes(try envelope.encoded()),
        ])
        #expect(try await fixture.queue.reap(excluding: nil, defaultMaxAttempts: 2).deadLettered == ["test:crash"])
        #expect(try await fixture.queue.deadLetters().first?.error.hasPrefix("worker died while running it 2 times") == true)
    }

    @Test func aReapedJobRunsAsItsNextAttempt() async throws {
        let fixture = try await QueueFixture()
        var envelope = JobEnvelope(id: "again", type: "test:record", maxAttempts: 5)
        envelope.attempts = 2
        envelope.crashes = 2
        try await fixture.queue.enqueueRaw(try envelope.encoded())
        let attempts = Mutex<[Int]>([])
        let handler = ClosureHandler(jobType: "test:record") { job in attempts.withLock { $0.append(job.attempt) } }
        let ran = try await fixture.withWorker(handlers: [handler]) { _ in
            await QueueFixture.eventually { attempts.withLock { !$0.isEmpty } }
        }
        #expect(ran)
        #expect(attempts.withLock { $0 } == [3])
    }

    @Test func anEnvelopeThatDoesNotParseIsReapedUnchanged() async throws {
        let fixture = try await QueueFixture()
        let keys = fixture.queue.keys
        _ = try await fixture.queue.connection.command(["LPUSH", .string(keys.inflight(worker: "ghost", slot: 0)), "{broken"])
        #expect(try await fixture.queue.reap(excluding: nil).returned == 1)
        #expect(try await fixture.queue.connection.command(["RPOP", .string(keys.queue)]).string == "{broken")
    }

    @Test func slotRecoveryReplaysTheLastAcknowledgementAndReturnsAnUnreportedFetch() async throws {
        let fixture = try await QueueFixture()
        let slot = QueueSlot(
            index: 0, worker: "w", keys: fixture.queue.keys, connection: fixture.queue.connection,
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
        let slot = QueueSlot(
            index: 0, worker: "w", keys: fixture.queue.keys, connection: fixture.queue.connection,
            deadSetCapacity: 10, idempotencyTTL: .seconds(60))
        try await fixture.queue.enqueue(JobEnvelope(id: "r", type: "t"))
        let raw = try #require(try await slot.settle(nil, fetch: true))
        let retry = QueueSlot.Disposition.retry(raw: raw, rewritten: raw + Array(" ".utf8), after: .seconds(60))
        _ = try await slot.settle(retry, fetch: false)
        _ = try await slot.settle(retry, fetch: false)
        #expect(try await fixture.queue.depth().retrying == 1)
    }
}
