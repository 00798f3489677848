public import ClipnetContracts

/// Every Redis key the queue uses, all under `clipnet:<environment>:`, so staging and production
/// can share nothing by accident and an operator can list one environment's keys with one pattern.
///
/// Layout (see docs/queue-protocol.md):
/// - `queue`: list; producers `LPUSH`, workers take from the right end.
/// - `inflight:<worker>:<slot>`: list per worker slot holding the job that slot is running.
/// - `retry`, `delayed`: sorted sets of envelopes scored by due time (ms since the epoch).
/// - `dead`: sorted set of dead-letter entries scored by time of death, capped.
/// - `leases`: sorted set of worker ids scored by lease deadline (ms, server clock).
/// - `workers:<worker>`: the heartbeat (JSON) with a TTL.
/// - `done:<idempotencyKey>`: marks an acknowledged job that carried an idempotency key.
public struct QueueKeys: Sendable, Hashable {
    /// The keys the reconciler reads too (queue, dead set, heartbeats), defined once.
    public let shared: WorkerKeyspace
    public var environment: String { shared.environment }
    public var prefix: String { shared.prefix }

    public init(environment: String) {
        shared = WorkerKeyspace(environment: environment)
    }

    public var queue: String { shared.queue }
    public var retry: String { prefix + "retry" }
    public var delayed: String { prefix + "delayed" }
    public var dead: String { shared.dead }
    public var leases: String { prefix + "leases" }
    /// `SCAN` pattern matching every slot's in-flight list of every worker.
    public var inflightPattern: String { prefix + "inflight:*" }

    public func inflight(worker: String, slot: Int) -> String { prefix + "inflight:\(worker):\(slot)" }
    public func heartbeat(worker: String) -> String { shared.heartbeat(worker: worker) }
    public func done(idempotencyKey: String) -> String { prefix + "done:\(idempotencyKey)" }
    /// The GPU lease set of a RunPod namespace (a sorted set: holder -> lease expiry in ms).
    public func gpuLeases(namespace: String) -> String { prefix + "gpu:\(namespace):leases" }

    /// The worker id inside an in-flight key, or nil when `key` is not one.
    public func worker(ofInflightKey key: String) -> String? {
        let head = prefix + "inflight:"
        guard key.hasPrefix(head) else { return nil }
        let rest = key.dropFirst(head.count)
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        let worker = rest[..<colon]
        return worker.isEmpty ? nil : String(worker)
    }
}
