import ClipnetJSON
import Foundation
import RedisClient
import Testing

@testable import WorkerEngine

@Suite struct QueueDeliveryTests {
    @Test func acknowledgedJobsRunOnceAndLeaveTheQueueEmpty() async throws {
        let fixture = try await QueueFixture()
        let handler = RecordingHandler()
        let ids = (0..<300).map { "job-\($0)" }
        try await fixture.queue.enqueue(contentsOf: ids.map { JobEnvelope(id: $0, type: "test:record") })
        let done = try await fixture.withWorker(handlers: [handler]) { _ in
            await QueueFixture.eventually { handler.distinct == ids.count }
        }
        #expect(done)
        #expect(Set(handler.counts.keys) == Set(ids))
        let depth = try await fixture.queue.depth()
        #expect(depth == JobQueue.Depth(queued: 0, inFlight: 0, retrying: 0, delayed: 0, dead: 0))
    }

    @Test func failingJobIsRetriedWithItsAttemptCountThenSucceeds() async throws {
        let fixture = try await QueueFixture()
        let handler = RecordingHandler(failures: 2)
        try await fixture.queue.enqueue(JobEnvelope(id: "flaky", type: "test:record", maxAttempts: 5))
        let done = try await fixture.withWorker(handlers: [handler]) { _ in
            try await QueueFixture.eventually {
                let depth = try await fixture.queue.depth()
                return handler.counts["flaky"] == 3 && depth.queued + depth.inFlight + depth.retrying == 0
            }
        }
        #expect(done)
        #expect(handler.counts["flaky"] == 3)
        #expect(try await fixture.queue.depth().dead == 0)
    }

    @Test func poisonJobEndsInTheDeadSetAfterItsAttemptsWithTheLastError() async throws {
        let fixture = try await QueueFixture()
        let handler = RecordingHandler(failures: 100)
        try await fixture.queue.enqueue(JobEnvelope(id: "poison", type: "test:record", maxAttempts: 3))
        let dead = try await fixture.withWorker(handlers: [handler]) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(dead)
        #expect(handler.counts["poison"] == 3)
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.id == "poison")
        #expect(letter.reason == .exhausted)
        #expect(letter.attempts == 3)
        #expect(letter.error == "planned failure 3")
    }

    @Test func unknownTypeAndUnparseableEnvelopesAreDeadLetteredWithTheReason() async throws {
        let fixture = try await QueueFixture()
        try await fixture.queue.enqueue(JobEnvelope(id: "mystery", type: "no:such-type"))
        try await fixture.queue.enqueueRaw(Array("{not json".utf8))
        try await fixture.queue.enqueueRaw(Array(#"{"id":"x","payload":{}}"#.utf8))
        let dead = try await fixture.withWorker(handlers: [RecordingHandler()]) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 3 }
        }
        #expect(dead)
        let letters = try await fixture.queue.deadLetters()
        let unknown = try #require(letters.first { $0.id == "mystery" })
        #expect(unknown.reason == .unknownType)
        #expect(unknown.error.contains("no:such-type"))
        let unparseable = letters.filter { $0.reason == .invalidEnvelope }
        #expect(unparseable.count == 2)
        #expect(unparseable.contains { $0.envelope == "{not json" })
        #expect(unparseable.contains { $0.error.contains("type") })
    }

    @Test func invalidPayloadIsDeadLetteredWithoutRetry() async throws {
        let fixture = try await QueueFixture()
        let handler = ClipbotNotifyHandler(context: HandlerContext(settings: fixture.settings))
        try await fixture.queue.enqueue(JobEnvelope(id: "bad", type: "clipbot:notify", payload: .object(["channel": .number(3)]), maxAttempts: 5))
        let dead = try await fixture.withWorker(handlers: [handler]) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(dead)
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.reason == .invalidPayload)
        #expect(letter.attempts == 1)
        #expect(letter.error.contains("message"))
    }

    @Test func delayedJobWaitsInTheDelayedSetUntilItsRunAt() async throws {
        let fixture = try await QueueFixture()
        let handler = RecordingHandler()
        let runAt = JobEnvelope.nowMilliseconds() + 400
        var envelope = JobEnvelope(id: "later", type: "test:record")
        envelope.runAt = runAt
        // Pushed straight onto the queue, as another language would: the worker parks it.
        try await fixture.queue.enqueueRaw(try envelope.encoded())
        let ran = try await fixture.withWorker(handlers: [handler]) { _ in
            await QueueFixture.eventually { handler.counts["later"] != nil }
        }
        #expect(ran)
        #expect(try #require(handler.time(of: "later")) >= runAt)
        #expect(handler.counts["later"] == 1)
    }

    @Test func aJobWhoseIdempotencyKeyWasAcknowledgedIsAcknowledgedWithoutRunning() async throws {
        let fixture = try await QueueFixture()
        let handler = RecordingHandler()
        try await fixture.queue.enqueue(JobEnvelope(id: "first", type: "test:record", idempotencyKey: "clip-7:post"))
        let ran = try await fixture.withWorker(handlers: [handler]) { _ in
            // One worker run: the first job is acknowledged before the repeat is enqueued.
            let firstDone = try await QueueFixture.eventually {
                let inFlight = try await fixture.queue.depth().inFlight
                return handler.counts["first"] == 1 && inFlight == 0
            }
            guard firstDone else { return false }
            try await fixture.queue.enqueue(JobEnvelope(id: "repeat", type: "test:record", idempotencyKey: "clip-7:post"))
            try await fixture.queue.enqueue(JobEnvelope(id: "other", type: "test:record", idempotencyKey: "clip-8:post"))
            return try await QueueFixture.eventually {
                let depth = try await fixture.queue.depth()
                return handler.counts["other"] == 1 && depth.queued + depth.inFlight == 0
            }
        }
        #expect(ran)
        #expect(handler.counts["repeat"] == nil)
        #expect(handler.counts["first"] == 1)
        let done = fixture.queue.keys.done(idempotencyKey: "clip-7:post")
        #expect(try await fixture.queue.connection.command(["PTTL", .string(done)]).integer ?? -1 > 0)
        #expect(try await fixture.queue.depth() == JobQueue.Depth(queued: 0, inFlight: 0, retrying: 0, delayed: 0, dead: 0))
    }

    @Test func aJobThatFailedDoesNotMarkItsIdempotencyKeyDone() async throws {
        let fixture = try await QueueFixture()
        let failing = RecordingHandler(failures: 1)
        try await fixture.queue.enqueue(JobEnvelope(id: "failed", type: "test:record", maxAttempts: 1, idempotencyKey: "k"))
        _ = try await fixture.withWorker(handlers: [failing]) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(try await fixture.queue.connection.command(["EXISTS", .string(fixture.queue.keys.done(idempotencyKey: "k"))]).integer == 0)
        let healthy = RecordingHandler()
        try await fixture.queue.enqueue(JobEnvelope(id: "again", type: "test:record", idempotencyKey: "k"))
        let ran = try await fixture.withWorker(handlers: [healthy]) { _ in
            await QueueFixture.eventually { healthy.counts["again"] == 1 }
        }
        #expect(ran)
    }

    @Test func redriveReturnsDeadJobsWithTheirAttemptsReset() async throws {
        let fixture = try await QueueFixture()
        try await fixture.queue.enqueue(JobEnvelope(id: "again", type: "test:record", maxAttempts: 1))
        let failing = RecordingHandler(failures: 1)
        _ = try await fixture.withWorker(handlers: [failing]) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(try await fixture.queue.redrive(ids: ["again"]) == 1)
        #expect(try await fixture.queue.depth().dead == 0)
        let healthy = RecordingHandler()
        let ran = try await fixture.withWorker(handlers: [healthy]) { _ in
            await QueueFixture.eventually { healthy.counts["again"] == 1 }
        }
        #expect(ran)
    }
}
