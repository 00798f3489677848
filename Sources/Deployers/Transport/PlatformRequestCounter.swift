public import ClipnetContracts
public import Foundation
import Synchronization

/// Requests sent to one platform, counted per minute over the last hour, so the status page can
/// show the budget in use ("Railway: 212 requests in the last hour of 1,000").
///
/// Why in process as well as the `platform_api_requests_total{platform}` metric: the reconciler
/// stretches its polling from this number without a metrics backend. Every attempt that reached
/// the network counts (retries included); calls refused locally while rate limited do not.
/// Share one counter between all deployers of a platform.
public final class PlatformRequestCounter: Sendable {
    public let platform: Platform
    private let state = Mutex(State())

    private struct State {
        /// Requests per minute (minutes since the epoch), at most the last 60.
        var minutes: [Int64: Int] = [:]
        var total = 0
    }

    public init(platform: Platform) {
        self.platform = platform
    }

    /// Counts one request sent at `date`.
    public func record(at date: Date = Date()) {
        let minute = Self.minute(date)
        state.withLock { state in
            state.minutes[minute, default: 0] += 1
            state.total += 1
            if state.minutes.count > 61 { state.minutes = state.minutes.filter { $0.key > minute - 60 } }
        }
    }

    /// Requests sent in the 60 minutes up to `date` (whole minutes: the current one and the 59 before).
    public func requestsInLastHour(at date: Date = Date()) -> Int {
        let minute = Self.minute(date)
        return state.withLock { state in state.minutes.reduce(0) { $1.key > minute - 60 && $1.key <= minute ? $0 + $1.value : $0 } }
    }

    /// Requests sent since this counter was made.
    public var total: Int { state.withLock { $0.total } }

    private static func minute(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }
}
