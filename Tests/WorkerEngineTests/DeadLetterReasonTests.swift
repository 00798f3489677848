import Foundation
import Testing

@testable import WorkerEngine

/// Dead-set reasons: a typed enum stored as the strings Redis has always held.
@Suite struct DeadLetterReasonTests {
    @Test(arguments: DeadLetterReason.known + [.other("somethingNewer")])
    func everyReasonRoundTripsThroughTheStoredEntry(_ reason: DeadLetterReason) throws {
        let letter = DeadLetter(id: "j1", type: "clip:process", reason: reason, error: "e", attempts: 1, diedAt: 1, worker: "w", envelope: "{}")
        let decoded = try JSONDecoder().decode(DeadLetter.self, from: Data(try letter.encoded()))
        #expect(decoded == letter)
        #expect(DeadLetterReason(rawValue: reason.rawValue) == reason)
    }

    @Test func theStoredValueIsThePlainStringEarlierWorkersWrote() throws {
        let letter = DeadLetter(id: "j1", type: "t", reason: .workerDied, error: "e", attempts: 5, diedAt: 1, worker: "w", envelope: "{}")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try letter.encoded())) as? [String: Any])
        #expect(object["reason"] as? String == "workerDied")
        #expect(
            DeadLetterReason.known.map(\.rawValue) == ["exhausted", "invalidPayload", "permanent", "unknownType", "invalidEnvelope", "workerDied"])
    }

    @Test func aLegacyEntryAndAnUnknownReasonStillDecode() throws {
        // As an earlier worker stored it (keys sorted, reason a bare string).
        let legacy =
            #"{"attempts":3,"diedAt":1764000000000,"envelope":"{\"id\":\"a\"}","error":"Clipbot answered 503","id":"a","reason":"exhausted","type":"clipbot:notify","worker":"w1"}"#
        #expect(try JSONDecoder().decode(DeadLetter.self, from: Data(legacy.utf8)).reason == .exhausted)
        let unknown = legacy.replacingOccurrences(of: #""reason":"exhausted""#, with: #""reason":"quarantined""#)
        let letter = try JSONDecoder().decode(DeadLetter.self, from: Data(unknown.utf8))
        #expect(letter.reason == .other("quarantined"))
        #expect(letter.reason.rawValue == "quarantined")
    }

    @Test func theQueueAndHandlerErrorCodesThatDeadLetterShareTheirReasonsName() {
        #expect(QueueError.Code.invalidEnvelope.deadLetterReason == .invalidEnvelope)
        #expect(QueueError.Code.unknownType.deadLetterReason == .unknownType)
        #expect(QueueError.Code.redis.deadLetterReason == nil)
        #expect(JobFailure.Code.invalidPayload.deadLetterReason == .invalidPayload)
        #expect(JobFailure.Code.permanent.deadLetterReason == .permanent)
        #expect(JobFailure.Code.transient.deadLetterReason == nil)
        for code in [QueueError.Code.invalidEnvelope, .unknownType] {
            #expect(code.deadLetterReason?.rawValue == code.description)
        }
        for code in [JobFailure.Code.invalidPayload, .permanent] {
            #expect(code.deadLetterReason?.rawValue == code.description)
        }
    }
}
