/// Why a job went to the dead set: the `reason` of a `DeadLetter`, stored in Redis as its raw value.
///
/// The reasons that come from an error are the queue's and the handlers' error codes under the same
/// name (`QueueError.Code.invalidEnvelope`, `.unknownType`; `JobFailure.Code.invalidPayload`,
/// `.permanent`: see `deadLetterReason` on each). A stored value this build does not know (written
/// by a newer worker, or by hand) decodes to `.other` with the value kept, so `dead list` still
/// shows every entry.
public enum DeadLetterReason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A transient failure used up the job's attempts.
    case exhausted
    /// The handler threw `JobFailure.invalidPayload`.
    case invalidPayload
    /// The handler threw `JobFailure.permanent`.
    case permanent
    /// No handler is registered for the job's type (`QueueError.Code.unknownType`).
    case unknownType
    /// The stored envelope does not parse (`QueueError.Code.invalidEnvelope`).
    case invalidEnvelope
    /// Workers died while running it until its attempts were used up.
    case workerDied
    /// A stored value this build does not know.
    case other(String)

    /// Every reason this build writes.
    public static let known: [DeadLetterReason] = [.exhausted, .invalidPayload, .permanent, .unknownType, .invalidEnvelope, .workerDied]

    /// The value stored in Redis.
    public var rawValue: String {
        switch self {
        case .exhausted: "exhausted"
        case .invalidPayload: "invalidPayload"
        case .permanent: "permanent"
        case .unknownType: "unknownType"
        case .invalidEnvelope: "invalidEnvelope"
        case .workerDied: "workerDied"
        case .other(let value): value
        }
    }

    public init(rawValue: String) {
        self = Self.known.first { $0.rawValue == rawValue } ?? .other(rawValue)
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

extension QueueError.Code {
    /// The dead-set reason of a job that failed with this code, if such a job is dead-lettered.
    public var deadLetterReason: DeadLetterReason? {
        switch self {
        case .invalidEnvelope: .invalidEnvelope
        case .unknownType: .unknownType
        default: nil
        }
    }
}

extension JobFailure.Code {
    /// The dead-set reason of a job whose handler threw this code at once (a transient failure is
    /// retried, and dead-lettered only as `.exhausted`).
    public var deadLetterReason: DeadLetterReason? {
        switch self {
        case .invalidPayload: .invalidPayload
        case .permanent: .permanent
        default: nil
        }
    }
}
