/// A Lua script run with EVALSHA, loaded on demand.
///
/// Why: EVALSHA sends 40 bytes instead of the script on every call (the job queue runs its scripts
/// thousands of times a second). The server forgets scripts on restart or SCRIPT FLUSH; on
/// `NOSCRIPT` the script is loaded and run again in one pipelined round trip.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lowercase hex SHA-1 of `source`, as Redis names scripts.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(Array(source.utf8))
    }

    /// Runs the script with `keys` (KEYS[1...]) and `arguments` (ARGV[1...]).
    /// - Throws: `RedisError(.server)` for a script error, or the connection's errors.
    public func run(
        on connection: RedisConnection,
        keys: [RedisArgument] = [],
        arguments: [RedisArgument] = [],
        timeout: Duration? = nil
    ) async throws -> RedisReply {
        let evalsha: [RedisArgument] = ["EVALSHA", RedisArgument(sha1), RedisArgument(keys.count)] + keys + arguments
        do {
            return try await connection.command(evalsha, timeout: timeout)
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            let replies = try await connection.pipeline([["SCRIPT", "LOAD", RedisArgument(source)], evalsha], timeout: timeout)
            _ = try replies[0].checked()
            return try replies[1].checked()
        }
    }
}
