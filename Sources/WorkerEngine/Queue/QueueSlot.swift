import Foundation
import RedisClient

/// One of a worker's N concurrent slots: its own connection (so a blocking wait never holds up the
/// others) and its own in-flight list, which holds at most the job the slot is running. Owning
/// the list alone is what makes recovery exact: after a lost reply the slot knows that anything in
/// its list is its own and can be given back.
final class QueueSlot: Sendable {
    /// What to do with a finished job; replayed as is after a lost reply (every script is idempotent).
    enum Disposition: Sendable {
        case acknowledge(raw: [UInt8], doneKey: String?)
        case retry(raw: [UInt8], rewritten: [UInt8], after: Duration)
        case delay(raw: [UInt8], until: Int64)
        case dead(raw: [UInt8], entry: [UInt8])
        /// The job stays in the slot (shutdown interrupted it); `release` returns it.
        case keep
    }

    let index: Int
    let key: String
    let keys: QueueKeys
    let connection: RedisConnection
    let deadSetCapacity: Int
    let idempotencyTTL: Duration

    init(index: Int, worker: String, keys: QueueKeys, connection: RedisConnection, deadSetCapacity: Int, idempotencyTTL: Duration) {
        self.index = index
        self.key = keys.inflight(worker: worker, slot: index)
        self.keys = keys
        self.connection = connection
        self.deadSetCapacity = deadSetCapacity
        self.idempotencyTTL = idempotencyTTL
    }

    /// Settles `disposition` and, when `fetch`, takes the next job without blocking: one round trip.
    func settle(_ disposition: Disposition?, fetch: Bool) async throws -> [UInt8]? {
        switch disposition {
        case .none, .keep?:
            return fetch ? try await ackAndFetch(raw: nil, doneKey: nil, fetch: true) : nil
        case .acknowledge(let raw, let doneKey)?:
            return try await ackAndFetch(raw: raw, doneKey: doneKey, fetch: fetch)
        case .retry(let raw, let rewritten, let delay)?:
            _ = try await QueueScripts.schedule.run(
                on: connection, keys: [.string(key), .string(keys.retry)],
                arguments: [.bytes(raw), .bytes(rewritten), RedisArgument(Self.milliseconds(delay)), ""])
        case .delay(let raw, let until)?:
            _ = try await QueueScripts.schedule.run(
                on: connection, keys: [.string(key), .string(keys.delayed)],
                arguments: [.bytes(raw), .bytes(raw), "0", RedisArgument(until)])
        case .dead(let raw, let entry)?:
            _ = try await QueueScripts.deadLetter.run(
                on: connection, keys: [.string(key), .string(keys.dead)],
                arguments: [.bytes(raw), .bytes(entry), RedisArgument(deadSetCapacity)])
        }
        return fetch ? try await ackAndFetch(raw: nil, doneKey: nil, fetch: true) : nil
    }

    private func ackAndFetch(raw: [UInt8]?, doneKey: String?, fetch: Bool) async throws -> [UInt8]? {
        let reply = try await QueueScripts.ackAndFetch.run(
            on: connection, keys: [.string(key), .string(keys.queue)],
            arguments: [.bytes(raw ?? []), fetch ? "1" : "0", .string(doneKey ?? ""), RedisArgument(Self.milliseconds(idempotencyTTL))])
        return reply.bytes
    }

    /// Waits up to `timeout` on the server for a job (BLMOVE): an idle slot costs no polling.
    func waitForJob(timeout: Duration) async throws -> [UInt8]? {
        let seconds = Double(Self.milliseconds(timeout)) / 1000
        let reply = try await connection.command(
            ["BLMOVE", .string(keys.queue), .string(key), "RIGHT", "LEFT", RedisArgument(seconds)],
            timeout: timeout + .seconds(5))
        return reply.bytes
    }

    /// After a broken connection: replays the unsettled disposition, then gives back whatever is
    /// still in the slot's list (a job fetched by a script whose reply was lost).
    func recover(replaying disposition: Disposition?) async throws -> Int {
        if let disposition, case .keep = disposition {
        } else if disposition != nil {
            _ = try await settle(disposition, fetch: false)
        }
        return try await release()
    }

    /// Gives every job still in this slot back to the head of the queue.
    @discardableResult
    func release() async throws -> Int {
        let reply = try await QueueScripts.requeueSlot.run(on: connection, keys: [.string(key), .string(keys.queue)])
        return Int(reply.integer ?? 0)
    }

    /// Whether an idempotency key was already acknowledged.
    func isDone(idempotencyKey: String) async throws -> Bool {
        try await connection.command(["EXISTS", keys.done(idempotencyKey: idempotencyKey)]).integer == 1
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
