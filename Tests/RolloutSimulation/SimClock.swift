public import Foundation
import Synchronization

/// The simulation's time: moves only when a step says so, so no test sleeps and every run of a
/// seed sees the same instants.
public final class SimClock: Sendable {
    private let current: Mutex<Date>

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
