/// One argument of a Redis command, as the exact bytes sent (binary-safe: NUL and non-UTF-8 bytes
/// pass through untouched).
///
/// String, integer and float literals convert implicitly, so `["SET", .bytes(key), 42]` reads naturally.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral
{
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(_ string: Substring) { self.bytes = Array(string.utf8) }
    public init<Integer: BinaryInteger>(_ value: Integer) { self.bytes = Array(String(value).utf8) }
    /// Doubles are sent in Swift's shortest round-trip form (`1.5`, `1e-05`), which Redis parses.
    public init(_ value: Double) { self.bytes = Array(String(value).utf8) }

    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self.init(value) }

    public static func bytes(_ bytes: [UInt8]) -> RedisArgument { RedisArgument(bytes) }
    public static func string(_ string: String) -> RedisArgument { RedisArgument(string) }
}
