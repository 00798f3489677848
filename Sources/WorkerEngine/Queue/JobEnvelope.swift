public import ClipnetJSON
public import Foundation

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
    /// When the job first found no free GPU slot (ms), written by the worker when it puts the job
    /// back to wait; the GPU wait metric measures from here. Not an attempt.
    public var gpuWaitingSince: Int64?

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

    /// Parses an envelope as stored in Redis (once per job, so by hand over `JSONValue(parsing:)`
    /// rather than through `JSONDecoder`). Unknown fields are ignored; an optional field may be
    /// null.
    /// - Throws: `QueueError(.invalidEnvelope)` saying what is wrong.
    public static func parse(_ bytes: [UInt8]) throws -> JobEnvelope {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw QueueError(.invalidEnvelope, "envelope does not parse: not JSON (\(error))")
        }
        guard case .object(let fields) = document else {
            throw QueueError(.invalidEnvelope, "envelope does not parse: not a JSON object")
        }
        var envelope = JobEnvelope(
            id: try Self.required(fields, "id", \.stringValue), type: try Self.required(fields, "type", \.stringValue),
            payload: try Self.required(fields, "payload", { $0 }), enqueuedAt: try Self.required(fields, "enqueuedAt", Self.integer))
        envelope.maxAttempts = try Self.optional(fields, "maxAttempts", Self.integer).map(Int.init)
        envelope.runAt = try Self.optional(fields, "runAt", Self.integer)
        envelope.idempotencyKey = try Self.optional(fields, "idempotencyKey", \.stringValue)
        envelope.traceId = try Self.optional(fields, "traceId", \.stringValue)
        envelope.attempts = try Self.optional(fields, "attempts", Self.integer).map(Int.init)
        envelope.crashes = try Self.optional(fields, "crashes", Self.integer).map(Int.init)
        envelope.lastError = try Self.optional(fields, "lastError", \.stringValue)
        envelope.gpuWaitingSince = try Self.optional(fields, "gpuWaitingSince", Self.integer)
        guard !envelope.id.isEmpty else { throw QueueError(.invalidEnvelope, "envelope has an empty id") }
        guard !envelope.type.isEmpty else { throw QueueError(.invalidEnvelope, "envelope has an empty type") }
        if let maxAttempts = envelope.maxAttempts, maxAttempts < 1 {
            throw QueueError(.invalidEnvelope, "maxAttempts must be at least 1")
        }
        return envelope
    }

    private static func required<T>(_ fields: [String: JSONValue], _ name: String, _ read: (JSONValue) -> T?) throws -> T {
        guard let value = fields[name] else { throw QueueError(.invalidEnvelope, "envelope does not parse: missing field '\(name)'") }
        guard let typed = read(value) else { throw QueueError(.invalidEnvelope, "envelope does not parse: wrong type at '\(name)'") }
        return typed
    }

    private static func optional<T>(_ fields: [String: JSONValue], _ name: String, _ read: (JSONValue) -> T?) throws -> T? {
        guard let value = fields[name], value != .null else { return nil }
        guard let typed = read(value) else { throw QueueError(.invalidEnvelope, "envelope does not parse: wrong type at '\(name)'") }
        return typed
    }

    /// A JSON number that is a whole number within ±2^53 (exact in the Double it was parsed into).
    private static func integer(_ value: JSONValue) -> Int64? {
        guard case .number(let number) = value, number.rounded(.towardZero) == number, abs(number) <= 9_007_199_254_740_992 else { return nil }
        return Int64(number)
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
}
