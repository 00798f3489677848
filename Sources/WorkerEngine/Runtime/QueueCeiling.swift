public import RedisClient

/// The benchmark's baseline: drains the queue with the worker's own take-and-acknowledge script
/// on `concurrency` connections, with no worker logic (no parsing, no handler, no metrics), to
/// show what the same Redis allows for the same key operations.
public enum QueueCeiling {
    /// Returns the number of jobs drained.
    public static func drain(queue: JobQueue, redisURL: RedisURL, concurrency: Int) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<concurrency {
                group.addTask {
                    let slot = QueueSlot(
                        index: index, worker: "ceiling", keys: queue.keys,
                        connection: RedisConnection(url: redisURL), deadSetCapacity: 1, idempotencyTTL: .seconds(1))
                    var count = 0
                    var last = try await slot.settle(nil, fetch: true)
                    while let raw = last {
                        count += 1
                        last = try await slot.settle(.acknowledge(raw: raw, doneKey: nil), fetch: true)
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
    }
}
