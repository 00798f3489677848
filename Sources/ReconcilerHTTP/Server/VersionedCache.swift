import Synchronization

/// Keeps one value computed from the status document, keyed by the snapshot's version, so
/// `/status` encodes the document once per change instead of once per request.
final class VersionedCache<Value: Sendable>: Sendable {
    private let entry = Mutex<(version: UInt64, value: Value)?>(nil)

    init() {}

    /// The cached value for `version`, or `make()`'s result, stored for the next caller. Two
    /// requests racing on a new version may both compute it; either result is correct.
    func value(for version: UInt64, make: () throws -> Value) rethrows -> Value {
        if let hit = entry.withLock({ $0 }), hit.version == version { return hit.value }
        let value = try make()
        entry.withLock { current in
            if current == nil || current!.version <= version { current = (version, value) }
        }
        return value
    }
}
