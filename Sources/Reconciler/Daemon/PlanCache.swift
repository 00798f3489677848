import ClipnetContracts
import Foundation
import Synchronization

/// The last plan, reused while nothing it depends on changed and it is younger than `lifetime`:
/// an unauthenticated `/plan` cannot spend the platforms' API quota faster than one plan per
/// interval.
final class PlanCache: Sendable {
    struct Key: Equatable, Sendable {
        var generation: Int64?
        var head: String?
    }

    static let lifetime: TimeInterval = 5
    private let entry = Mutex<(key: Key, at: Date, plan: PlanDocument)?>(nil)

    func plan(for key: Key, now: Date) -> PlanDocument? {
        entry.withLock { entry in
            guard let entry, entry.key == key, now.timeIntervalSince(entry.at) < Self.lifetime else { return nil }
            return entry.plan
        }
    }

    func store(_ plan: PlanDocument, for key: Key, now: Date) {
        entry.withLock { $0 = (key, now, plan) }
    }
}
