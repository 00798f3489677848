import Foundation
import ClipnetJSON

/// The JSON a producer pushes with `LPUSH clipnet:<env>:queue <envelope>`, in any language
/// (docs/queue-protocol.md). Times are integer milliseconds since the Unix epoch.
///
/// `attempts` and `lastError` are written by workers when they schedule a retry; producers leave
/// them out.
public struct JobEnvelope: Sendable, Hashable, Codable {
    public var id: String
    public var type: String
    public var payload: JSONValue
    public var enqueuedAt: Int64
    public var maxAttempts: Int?
    public var runAt: Int64?
    public var idempotencyKey: String?
    public var traceId: String?
    /// Failed attempts so far (absent means none), deliveries whose worker died included.
    public var attempts: Int?
    /// Deliveries that ended with the worker dying while running the job (counted in `attempts`
    /// too), written by the reaper.
    public var crashes: Int?
    /// The error of the last failed attempt.
    public var lastError: String?

    public init(
        id: String = UUID().uuidString.lowercased(),
        type: String,
        payload: JSONValue = .object([:]),
        enqueuedAt: Int64 = JobEnvelope.nowMilliseconds(),
        maxAttempts: Int? = nil,
        runAt: Int64? = nil,
        idempotencyKey: String? = nil,
        traceId: String? = nil
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.enqueuedAt = enqueuedAt
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.idempotencyKey = idempotencyKey
        self.traceId = traceId
    }

    /// Parses an envelope as stored in Redis.
    /// - Throws: `QueueError(.invalidEnvelope)` saying what is wrong.
    public static func parse(_ bytes: [UInt8]) throws -> JobEnvelope {
        let envelope: JobEnvelope
        do {
            envelope = try JSONDecoder().decode(JobEnvelope.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw QueueError(.invalidEnvelope, "envelope does not parse: \(Self.describe(error))")
        } catch {
            throw QueueError(.invalidEnvelope, "envelope does not parse")
        }
        guard !envelope.id.isEmpty else { throw QueueError(.invalidEnvelope, "envelope has an empty id") }
        guard !envelope.type.isEmpty else { throw QueueError(.invalidEnvelope, "envelope has an empty type") }
        if let maxAttempts = envelope.maxAttempts, maxAttempts < 1 {
            throw QueueError(.invalidEnvelope, "maxAttempts must be at least 1")
        }
        return envelope
    }

    /// The compact JSON stored in Redis.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: "invalid"
        }
    }
}
