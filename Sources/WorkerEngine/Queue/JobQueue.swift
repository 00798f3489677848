public import ClipnetContracts
import Foundation
public import RedisClient

/// The queue as producers and operators see it: enqueue, depth, the dead set and its re-drive,
/// the reaper's pass and the scheduler's promotion. Workers take jobs through `QueueSlot`.
public final class JobQueue: Sendable {
    public let keys: QueueKeys
    public let connection: RedisConnection
    /// Entries kept in the dead set; older ones are trimmed.
    public let deadSetCapacity: Int

    public init(connection: RedisConnection, keys: QueueKeys, deadSetCapacity: Int = 10_000) {
        self.connection = connection
        self.keys = keys
        self.deadSetCapacity = max(1, deadSetCapacity)
    }

    /// `LPUSH queue envelope`, or `ZADD delayed runAt envelope` for a job due later; the latter is
    /// only a shortcut: a producer may push a future `runAt` to the queue and a worker parks it.
    public func enqueue(_ envelope: JobEnvelope) async throws {
        let bytes = try envelope.encoded()
        if let runAt = envelope.runAt, runAt > JobEnvelope.nowMilliseconds() {
            _ = try await connection.command(["ZADD", .string(keys.delayed), RedisArgument(runAt), .bytes(bytes)])
        } else {
            _ = try await connection.command(["LPUSH", .string(keys.queue), .bytes(bytes)])
        }
    }

    /// Pushes many envelopes in pipelined batches (tests and benchmarks).
    public func enqueue(contentsOf envelopes: [JobEnvelope], batch: Int = 1000) async throws {
        var index = 0
        while index < envelopes.count {
            let slice = envelopes[index..<min(envelopes.count, index + batch)]
            var arguments: [RedisArgument] = ["LPUSH", .string(keys.queue)]
            for envelope in slice { arguments.append(.bytes(try envelope.encoded())) }
            _ = try await connection.command(arguments)
            index += batch
        }
    }

    /// Pushes raw bytes as they are: what any other language does (tests of malformed envelopes).
    public func enqueueRaw(_ bytes: [UInt8]) async throws {
        _ = try await connection.command(["LPUSH", .string(keys.queue), .bytes(bytes)])
    }

    public struct Depth: Sendable, Hashable {
        public var queued: Int
        public var inFlight: Int
        public var retrying: Int
        public var delayed: Int
        public var dead: Int
    }

    /// Jobs in each state now (in-flight counted over every worker's slots).
    public func depth() async throws -> Depth {
        let replies = try await connection.pipeline([
            ["LLEN", .string(keys.queue)], ["ZCARD", .string(keys.retry)],
            ["ZCARD", .string(keys.delayed)], ["ZCARD", .string(keys.dead)],
        ])
        var inFlight = 0
        for key in try await inflightKeys() {
            inFlight += Int(try await connection.command(["LLEN", .string(key)]).integer ?? 0)
        }
        return Depth(
            queued: Int(try replies[0].checked().integer ?? 0), inFlight: inFlight,
            retrying: Int(try replies[1].checked().integer ?? 0), delayed: Int(try replies[2].checked().integer ?? 0),
            dead: Int(try replies[3].checked().integer ?? 0))
    }

    /// Every slot's in-flight list, found with SCAN (never KEYS, which blocks the server).
    public func inflightKeys() async throws -> [String] {
        var cursor = "0"
        var found: [String] = []
        repeat {
            let reply = try await connection.command(["SCAN", cursor, "MATCH", keys.inflightPattern, "COUNT", "1000"])
            guard let parts = reply.array, parts.count == 2 else { throw QueueError(.redis, "unexpected SCAN reply") }
            cursor = parts[0].string ?? "0"
            found += (parts[1].array ?? []).compactMap(\.string)
        } while cursor != "0"
        return found
    }

    /// The raw envelopes in one in-flight list.
    public func inflight(key: String) async throws -> [[UInt8]] {
        (try await connection.command(["LRANGE", .string(key), "0", "-1"]).array ?? []).compactMap(\.bytes)
    }

    // MARK: - Dead set

    /// The newest `limit` dead entries, newest first.
    public func deadLetters(limit: Int = 100) async throws -> [DeadLetter] {
        try await deadMembers(limit: limit).map(\.letter)
    }

    private func deadMembers(limit: Int) async throws -> [(member: [UInt8], letter: DeadLetter)] {
        let reply = try await connection.command(["ZREVRANGE", .string(keys.dead), "0", RedisArgument(max(0, limit - 1))])
        let decoder = JSONDecoder()
        return (reply.array ?? []).compactMap(\.bytes).compactMap { member in
            (try? decoder.decode(DeadLetter.self, from: Data(member))).map { (member, $0) }
        }
    }

    /// Puts dead jobs back on the queue with their attempts reset: those with `ids`, or all when nil.
    /// Returns how many were re-driven.
    public func redrive(ids: Set<String>? = nil, limit: Int = 10_000) async throws -> Int {
        var count = 0
        for (member, letter) in try await deadMembers(limit: limit) {
            if let ids, !ids.contains(letter.id ?? "") { continue }
            let envelope = Self.resetAttempts(Array(letter.envelope.utf8))
            let reply = try await QueueScripts.redrive.run(
                on: connection, keys: [.string(keys.dead), .string(keys.queue)], arguments: [.bytes(member), .bytes(envelope)])
            count += Int(reply.integer ?? 0)
        }
        return count
    }

    /// Deletes the dead set.
    public func purgeDead() async throws {
        _ = try await connection.command(["DEL", keys.dead])
    }

    static func resetAttempts(_ raw: [UInt8]) -> [UInt8] {
        guard var envelope = try? JobEnvelope.parse(raw) else { return raw }
        envelope.attempts = nil
        envelope.crashes = nil
        envelope.lastError = nil
        return (try? envelope.encoded()) ?? raw
    }

    // MARK: - Housekeeping

    /// Moves due retries and delayed jobs to the queue. Returns how many moved and how long until
    /// the next one is due (nil when none is waiting).
    public func promoteDue(limit: Int = 1000) async throws -> (moved: Int, nextDue: Duration?) {
        let reply = try await QueueScripts.promote.run(
            on: connection, keys: [.string(keys.retry), .string(keys.delayed), .string(keys.queue)], arguments: [RedisArgument(limit)])
        let parts = reply.array ?? []
        let moved = Int(parts.first?.integer ?? 0)
        let next = parts.count > 1 ? parts[1].integer ?? -1 : -1
        return (moved, next < 0 ? nil : .milliseconds(next))
    }

    /// What one reaper pass did.
    public struct Reaped: Sendable, Hashable {
        /// Jobs given back to the queue, each with one more attempt counted.
        public var returned = 0
        /// Types of the jobs that went to the dead set instead (their worker died while running
        /// them as many times as they had attempts).
        public var deadLettered: [String] = []

        public var total: Int { returned + deadLettered.count }
    }

    /// One reaper pass: every job in an in-flight list of a worker other than `excluding` whose
    /// heartbeat or lease has expired is taken out. A delivery that ended with the worker dying
    /// counts as an attempt (`attempts` and `crashes` go up, `lastError` says so): the job goes
    /// back to the queue's consuming end (picked next), or, once that makes `maxAttempts`
    /// (the envelope's, else `defaultMaxAttempts`), to the dead set with reason `workerDied`, so a
    /// payload that crashes the process cannot loop for ever.
    public func reap(excluding worker: String?, defaultMaxAttempts: Int = RetryPolicy().defaultMaxAttempts) async throws -> Reaped {
        var reaped = Reaped()
        var deadOwners: Set<String> = []
        for key in try await inflightKeys() {
            guard let owner = keys.worker(ofInflightKey: key), owner != worker else { continue }
            for raw in try await inflight(key: key) {
                let (rewritten, entry, type) = Self.reapedForm(of: raw, owner: owner, defaultMaxAttempts: defaultMaxAttempts)
                let reply = try await QueueScripts.reapJob.run(
                    on: connection,
                    keys: [.string(key), .string(keys.heartbeat(worker: owner)), .string(keys.leases), .string(keys.queue), .string(keys.dead)],
                    arguments: [.string(owner), .bytes(raw), .bytes(rewritten), .bytes(entry ?? []), RedisArgument(deadSetCapacity)])
                let outcome = reply.integer ?? -1
                if outcome < 0 { break }  // alive: leave its list alone
                deadOwners.insert(owner)
                if outcome == 1 { reaped.returned += 1 }
                if outcome == 2 { reaped.deadLettered.append(type ?? "unparseable") }
            }
        }
        for owner in deadOwners {
            _ = try await QueueScripts.forgetLease.run(
                on: connection, keys: [.string(keys.heartbeat(worker: owner)), .string(keys.leases)], arguments: [.string(owner)])
        }
        return reaped
    }

    /// A reaped job's envelope with this delivery counted, and its dead-set entry when that was its
    /// last attempt. An envelope that does not parse goes back as it is (the worker that takes it
    /// dead-letters it as `invalidEnvelope`).
    static func reapedForm(of raw: [UInt8], owner: String, defaultMaxAttempts: Int) -> (rewritten: [UInt8], deadEntry: [UInt8]?, type: String?) {
        guard var envelope = try? JobEnvelope.parse(raw) else { return (raw, nil, nil) }
        let attempts = (envelope.attempts ?? 0) + 1
        let crashes = (envelope.crashes ?? 0) + 1
        envelope.attempts = attempts
        envelope.crashes = crashes
        envelope.lastError = "worker \(owner) died while running it"
        guard let rewritten = try? envelope.encoded() else { return (raw, nil, envelope.type) }
        guard attempts >= envelope.maxAttempts ?? defaultMaxAttempts else { return (rewritten, nil, envelope.type) }
        let letter = DeadLetter(
            id: envelope.id, type: envelope.type, reason: .workerDied,
            error: "worker died while running it \(crashes) \(crashes == 1 ? "time" : "times") (last: \(owner))",
            attempts: attempts, diedAt: JobEnvelope.nowMilliseconds(), worker: owner, envelope: String(decoding: raw, as: UTF8.self))
        return (rewritten, try? letter.encoded(), envelope.type)
    }

    /// The heartbeat of worker `id`, decoded, if it is alive.
    public func heartbeat(worker id: String) async throws -> WorkerHeartbeat? {
        guard let bytes = try await connection.command(["GET", keys.heartbeat(worker: id)]).bytes else { return nil }
        return try? JSONDecoder().decode(WorkerHeartbeat.self, from: Data(bytes))
    }
}
