import ClipnetJSON
import Foundation
import Testing

@testable import WorkerEngine

/// The envelope as producers in any language write it (docs/queue-protocol.md).
@Suite struct JobEnvelopeTests {
    static func parse(_ text: String) throws -> JobEnvelope { try JobEnvelope.parse(Array(text.utf8)) }

    @Test func parsesEveryDocumentedField() throws {
        let envelope = try Self.parse(
            """
            {"id":"6f1c","type":"clip:process","payload":{"clipId":"c42","n":[1,2.5]},"enqueuedAt":1764048000000,
             "maxAttempts":3,"runAt":1764048005000,"idempotencyKey":"c42:process","traceId":"t-1","attempts":1,
             "crashes":1,"lastError":"boom"}
            """)
        #expect(envelope.id == "6f1c")
        #expect(envelope.type == "clip:process")
        #expect(envelope.payload == ["clipId": "c42", "n": [1, .number(2.5)]])
        #expect(envelope.enqueuedAt == 1_764_048_000_000)
        #expect(envelope.maxAttempts == 3)
        #expect(envelope.runAt == 1_764_048_005_000)
        #expect(envelope.idempotencyKey == "c42:process")
        #expect(envelope.traceId == "t-1")
        #expect(envelope.attempts == 1)
        #expect(envelope.crashes == 1)
        #expect(envelope.lastError == "boom")
    }

    @Test func unknownFieldsAreIgnoredAndOptionalFieldsMayBeNull() throws {
        let envelope = try Self.parse(
            """
            {"id":"a","type":"t","payload":null,"enqueuedAt":1,"maxAttempts":null,"traceId":null,"producer":{"lang":"python"}}
            """)
        #expect(envelope.payload == .null)
        #expect(envelope.maxAttempts == nil)
        #expect(envelope.traceId == nil)
    }

    @Test(arguments: ["id", "type", "payload", "enqueuedAt"])
    func aMissingRequiredFieldIsNamed(_ field: String) throws {
        var fields: [String: JSONValue] = ["id": "a", "type": "t", "payload": [:], "enqueuedAt": 1]
        fields[field] = nil
        let error = try #require(throws: QueueError.self) { try JobEnvelope.parse(JSONValue.object(fields).serialized) }
        #expect(error.code == .invalidEnvelope)
        #expect(error.message == "envelope does not parse: missing field '\(field)'")
    }

    @Test(arguments: [
        ("id", JSONValue.number(1)), ("type", .null), ("enqueuedAt", "1764048000000"), ("enqueuedAt", .number(1.5)),
        ("maxAttempts", "3"), ("runAt", .bool(true)), ("attempts", .number(1e300)), ("idempotencyKey", .number(7)),
    ])
    func aFieldOfTheWrongTypeIsNamed(_ field: String, _ value: JSONValue) throws {
        var fields: [String: JSONValue] = ["id": "a", "type": "t", "payload": [:], "enqueuedAt": 1]
        fields[field] = value
        let error = try #require(throws: QueueError.self) { try JobEnvelope.parse(JSONValue.object(fields).serialized) }
        #expect(error.message == "envelope does not parse: wrong type at '\(field)'")
    }

    @Test(arguments: [
        ("{not json", "envelope does not parse: not JSON"), ("[1,2]", "envelope does not parse: not a JSON object"),
        (#"{"id":"","type":"t","payload":{},"enqueuedAt":1}"#, "envelope has an empty id"),
        (#"{"id":"a","type":"","payload":{},"enqueuedAt":1}"#, "envelope has an empty type"),
        (#"{"id":"a","type":"t","payload":{},"enqueuedAt":1,"maxAttempts":0}"#, "maxAttempts must be at least 1"),
    ])
    func whatIsWrongIsSaid(_ text: String, _ message: String) throws {
        let error = try #require(throws: QueueError.self) { try Self.parse(text) }
        #expect(error.message.hasPrefix(message))
    }

    @Test func theWorkersEncodingParsesBackAndAgreesWithCodable() throws {
        var envelope = JobEnvelope(
            id: "x/1", type: "ml:score", payload: ["clipId": "c1", "captions": ["a \"quoted\" é 🎬"], "score": .number(0.25)],
            enqueuedAt: 1_764_048_000_123, maxAttempts: 4, runAt: 1_764_048_100_000, idempotencyKey: "k", traceId: "t")
        envelope.attempts = 2
        envelope.crashes = 1
        envelope.lastError = "worker w died while running it"
        let bytes = try envelope.encoded()
        #expect(try JobEnvelope.parse(bytes) == envelope)
        #expect(try JSONDecoder().decode(JobEnvelope.self, from: Data(bytes)) == envelope)
    }
}
