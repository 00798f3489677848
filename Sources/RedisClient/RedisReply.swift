/// A Redis reply copied out of hiredis' `redisReply` tree, so it outlives `freeReplyObject`.
public enum RedisReply: Sendable, Hashable {
    /// A bulk string: arbitrary bytes.
    case string([UInt8])
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    /// A nil bulk string or nil array (GET of a missing key, a BLMOVE that timed out server-side).
    case null
    /// An error reply. `RedisConnection.command` throws these as `RedisError(.server)`; they appear
    /// as values only inside pipelines and nested arrays (EXEC), where other replies succeeded.
    case error(String)

    /// A bulk string decoded as UTF-8 (invalid bytes repaired), or a status reply; nil otherwise.
    public var string: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        default: return nil
        }
    }

    /// The bytes of a bulk string or status reply; nil otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .string(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        default: return nil
        }
    }

    /// An integer reply, or a bulk string holding a decimal integer (as GET of a counter returns).
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .string(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// This reply, or a thrown `RedisError(.server)` when it is an error reply: for pipeline results.
    public func checked() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError(.server, message) }
        return self
    }
}
