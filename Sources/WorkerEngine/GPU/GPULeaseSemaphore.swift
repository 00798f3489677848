public import RedisClient

/// A counting semaphore in Redis for one RunPod namespace, shared by every worker replica of the
/// environment: at most `capacity` holders at a time, each holding a lease that expires unless
/// renewed.
///
/// Why leases: a SIGKILLed worker never releases; its slot comes back when its lease expires
/// (`leaseTTL`), with no reaper. Times come from the Redis server (`TIME`), so replicas with
/// skewed clocks agree on expiry.
public struct GPULeaseSemaphore: Sendable {
    public let connection: RedisConnection
    public let key: String
    public let capacity: Int
    public let leaseTTL: Duration

    public init(connection: RedisConnection, key: String, capacity: Int, leaseTTL: Duration = .seconds(30)) {
        self.connection = connection
        self.key = key
        self.capacity = max(1, capacity)
        self.leaseTTL = leaseTTL
    }

    /// Takes a slot for `holder` if one is free (or renews the one it holds).
    /// - Returns: whether `holder` now holds a slot, and how many leases are live after the call.
    public func tryAcquire(holder: String) async throws -> (acquired: Bool, held: Int) {
        let reply = try await Self.acquire.run(
            on: connection, keys: [.string(key)],
            arguments: [
                .string(holder), RedisArgument(capacity), RedisArgument(QueueSlot.milliseconds(leaseTTL)),
            ])
        let parts = reply.array ?? []
        return ((parts.first?.integer ?? 0) == 1, Int(parts.dropFirst().first?.integer ?? 0))
    }

    /// Extends `holder`'s lease; false when it had already expired (and may have been taken).
    public func renew(holder: String) async throws -> Bool {
        try await Self.renew.run(
            on: connection, keys: [.string(key)],
            arguments: [
                .string(holder), RedisArgument(QueueSlot.milliseconds(leaseTTL)),
            ]
        ).integer == 1
    }

    /// Gives the slot back; returns the number of live leases left.
    @discardableResult
    public func release(holder: String) async throws -> Int {
        Int(try await Self.release.run(on: connection, keys: [.string(key)], arguments: [.string(holder)]).integer ?? 0)
    }

    /// Live leases now (expired ones are not counted).
    public func held() async throws -> Int {
        Int(try await Self.count.run(on: connection, keys: [.string(key)]).integer ?? 0)
    }

    private static let now = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

    /// KEYS: lease set. ARGV: holder, capacity, ttl ms. Returns {acquired 0|1, live leases}.
    static let acquire = RedisScript(
        now + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local ttl = tonumber(ARGV[3])
            local acquired = 0
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
                redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
                acquired = 1
            end
            redis.call('PEXPIRE', KEYS[1], ttl * 2)
            return {acquired, redis.call('ZCARD', KEYS[1])}
            """)

    /// KEYS: lease set. ARGV: holder, ttl ms.
    static let renew = RedisScript(
        now + """
            local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not expiry or tonumber(expiry) <= now then return 0 end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
            return 1
            """)

    /// KEYS: lease set. ARGV: holder.
    static let release = RedisScript(
        now + """
            redis.call('ZREM', KEYS[1], ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZCARD', KEYS[1])
            """)

    static let count = RedisScript(
        now + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZCARD', KEYS[1])
            """)
}
