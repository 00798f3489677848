import Foundation

/// One entry of the dead set: the envelope exactly as it was stored (it may not even parse), why
/// it died, and the last error. Members of `clipnet:<env>:dead`, scored by `diedAt`.
public struct DeadLetter: Sendable, Hashable, Codable {
    /// The job id when the envelope parsed.
    public var id: String?
    public var type: String?
    /// Stored as its raw value (`exhausted`, `invalidPayload`, `permanent`, `unknownType`,
    /// `invalidEnvelope`, `workerDied`).
    public var reason: DeadLetterReason
    public var error: String
    public var attempts: Int
    public var diedAt: Int64
    public var worker: String
    /// The raw envelope, as a string.
    public var envelope: String

    public init(id: String?, type: String?, reason: DeadLetterReason, error: String, attempts: Int, diedAt: Int64, worker: String, envelope: String) {
        self.id = id
        self.type = type
        self.reason = reason
        self.error = error
        self.attempts = attempts
        self.diedAt = diedAt
        self.worker = worker
        self.envelope = envelope
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}
