import RedisClient

/// The queue's Lua scripts. Each state change of a job is one script, so it is atomic: a job is
/// always in exactly one of the queue, one slot's in-flight list, `retry`, `delayed`, `dead`, or
/// gone (acknowledged). Times come from the server's clock (`TIME`), so workers' clocks need not agree.
///
/// Every disposition (ack, retry, delay, dead) first removes the job from the slot's in-flight
/// list and does the rest only if that removal happened: running one twice (after a lost reply) is
/// harmless, which is what lets a slot replay its last disposition after a reconnect.
enum QueueScripts {
    private static let now = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

    /// Acknowledge the slot's last job (if ARGV[1] is not empty) and, if ARGV[2] is '1', move the
    /// next job from the queue into the slot: one round trip per job.
    /// KEYS: slot, queue. ARGV: raw to ack, fetch flag, done key ('' none), done TTL ms.
    static let ackAndFetch = RedisScript(
        """
        if ARGV[1] ~= '' then
          local removed = redis.call('LREM', KEYS[1], -1, ARGV[1])
          if removed > 0 and ARGV[3] ~= '' then redis.call('SET', ARGV[3], '1', 'PX', ARGV[4]) end
        end
        if ARGV[2] == '1' then return redis.call('LMOVE', KEYS[2], KEYS[1], 'RIGHT', 'LEFT') end
        return false
        """)

    /// Schedule the job again: remove it from the slot, add the rewritten envelope to a sorted set
    /// due after ARGV[3] ms (relative, retry) or at ARGV[4] ms (absolute, delayed; '' if relative).
    /// KEYS: slot, sorted set. ARGV: raw, new raw, delay ms, absolute due ms.
    static let schedule = RedisScript(
        now + """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
            local due = now + tonumber(ARGV[3])
            if ARGV[4] ~= '' then due = tonumber(ARGV[4]) end
            redis.call('ZADD', KEYS[2], due, ARGV[2])
            return 1
            """)

    /// Dead-letter the job: remove it from the slot, add the entry, trim the set to ARGV[3] entries.
    /// KEYS: slot, dead. ARGV: raw, entry JSON, cap.
    static let deadLetter = RedisScript(
        now + """
            if redis.call('LREM', KEYS[1], -1, ARGV[1]) == 0 then return 0 end
            redis.call('ZADD', KEYS[2], now, ARGV[2])
            local cap = tonumber(ARGV[3])
            if redis.call('ZCARD', KEYS[2]) > cap then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(cap + 1)) end
            return 1
            """)

    /// Move every due job of `retry` and `delayed` to the queue's tail (at most ARGV[1] per set);
    /// returns {moved, ms until the next due job or -1}.
    /// KEYS: retry, delayed, queue.
    static let promote = RedisScript(
        now + """
            local moved = 0
            local nextDue = -1
            for i = 1, 2 do
              local due = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
              for _, job in ipairs(due) do
                redis.call('ZREM', KEYS[i], job)
                redis.call('LPUSH', KEYS[3], job)
                moved = moved + 1
              end
              local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
              if first[2] then
                local wait = math.max(0, tonumber(first[2]) - now)
                if nextDue < 0 or wait < nextDue then nextDue = wait end
              end
            end
            return {moved, nextDue}
            """)

    /// Give back every job of one slot to the head of the queue (picked next).
    /// KEYS: slot, queue. Returns how many.
    static let requeueSlot = RedisScript(
        """
        local n = 0
        while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'RIGHT') do n = n + 1 end
        return n
        """)

    /// The reaper's step for one job in another worker's in-flight list: if that worker is dead (no
    /// heartbeat, or its lease expired) and the job is still in the list, take it out and either
    /// give back the rewritten envelope (its `attempts` counting this delivery) to the queue's
    /// consuming end, or, when ARGV[4] is not empty, add that dead-set entry instead.
    /// KEYS: slot, heartbeat, leases, queue, dead. ARGV: worker id, raw, rewritten raw, dead entry
    /// ('' to requeue), dead-set cap. Returns -1 if the worker is alive, 0 if the job was gone,
    /// 1 if requeued, 2 if dead-lettered.
    static let reapJob = RedisScript(
        now + """
            local alive = redis.call('EXISTS', KEYS[2]) == 1
            local lease = redis.call('ZSCORE', KEYS[3], ARGV[1])
            if lease and tonumber(lease) < now then alive = false end
            if alive then return -1 end
            if redis.call('LREM', KEYS[1], -1, ARGV[2]) == 0 then return 0 end
            if ARGV[4] == '' then
              redis.call('RPUSH', KEYS[4], ARGV[3])
              return 1
            end
            redis.call('ZADD', KEYS[5], now, ARGV[4])
            local cap = tonumber(ARGV[5])
            if redis.call('ZCARD', KEYS[5]) > cap then redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(cap + 1)) end
            return 2
            """)

    /// Forget the lease of a worker whose heartbeat is gone (after its lists were reaped).
    /// KEYS: heartbeat, leases. ARGV: worker id.
    static let forgetLease = RedisScript(
        """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        return redis.call('ZREM', KEYS[2], ARGV[1])
        """)

    /// Heartbeat and lease renewal together. KEYS: heartbeat, leases. ARGV: JSON, TTL ms, worker id.
    static let heartbeat = RedisScript(
        now + """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
            return now
            """)

    /// Re-drive one dead entry: remove it and push the envelope to the queue's tail, atomically.
    /// KEYS: dead, queue. ARGV: entry, envelope.
    static let redrive = RedisScript(
        """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('LPUSH', KEYS[2], ARGV[2])
        return 1
        """)
}
