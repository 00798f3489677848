import RedisClient
import Synchronization

/// A short lock in Redis around one clip's post, expiring on its own (a worker killed while
/// posting holds it for at most `ttl`). Released only by the token that took it.
final class PostingLock: Sendable {
    let connection: RedisConnection
    let key: String
    let ttl: Duration
    private let token = Mutex<String?>(nil)

    init(connection: RedisConnection, key: String, ttl: Duration = .seconds(120)) {
        self.connection = connection
        self.key = key
        self.ttl = ttl
    }

    func acquire(token value: String) async throws -> Bool {
        let reply = try await connection.command(["SET", .string(key), .string(value), "NX", "PX", RedisArgument(QueueSlot.milliseconds(ttl))])
        guard reply.string == "OK" else { return false }
        token.withLock { $0 = value }
        return true
    }

    func release() async {
        guard let value = token.withLock({ $0 }) else { return }
        _ = try? await Self.compareAndDelete.run(on: connection, keys: [.string(key)], arguments: [.string(value)])
    }

    /// KEYS: lock. ARGV: token.
    static let compareAndDelete = RedisScript(
        """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """)
}
