public import ClipnetContracts
public import Deployers
import Foundation
import Metrics

/// The platforms' hourly request budgets and how much of them the last hour used, so polling
/// slows down before a plan's limit is reached instead of running into 429s.
///
/// Why stretch rather than stop: a rate-limited rollout only waits (a 429 never fails one), but
/// on Railway the limit is per account, so running into it also blocks every person and tool
/// using that account. Stretching the waits trades minutes of latency for staying under it.
public struct RequestBudget: Sendable {
    /// Requests per hour per platform; a platform without an entry is counted, not limited.
    public let perHour: [Platform: Int]
    private let lastHour: @Sendable (Platform) -> Int

    /// - Parameter lastHour: requests sent to a platform in the last hour (default: the
    ///   process-wide counters every deployer reports to).
    public init(
        perHour: [Platform: Int], lastHour: @escaping @Sendable (Platform) -> Int = { PlatformRequestCounter.shared(for: $0).requestsInLastHour() }
    ) {
        self.perHour = perHour
        self.lastHour = lastHour
    }

    /// How many times longer than configured the loop waits now: 1 below 60 % of a budget, then
    /// 0.4 / (share left), so 2× at 80 %, 4× at 90 %, 8× at 95 %, capped at 20×. The largest of
    /// the platforms'.
    public func stretch() -> Double {
        perHour.map { Self.stretch(used: lastHour($0.key), budget: $0.value) }.max() ?? 1
    }

    static func stretch(used: Int, budget: Int) -> Double {
        guard budget > 0 else { return 1 }
        let left = 1 - Double(used) / Double(budget)
        return min(20, max(1, 0.4 / max(left, 0.02)))
    }

    /// One line per platform for status, and the same figures as gauges.
    public func usage() -> [StatusDocument.PlatformRequests] {
        Platform.allCases.map { platform in
            let used = lastHour(platform)
            let budget = perHour[platform]
            Gauge(label: "platform_api_requests_last_hour", dimensions: [("platform", platform.rawValue)]).record(used)
            if let budget { Gauge(label: "platform_api_budget_per_hour", dimensions: [("platform", platform.rawValue)]).record(budget) }
            return StatusDocument.PlatformRequests(
                platform: platform.rawValue, lastHour: used, budgetPerHour: budget,
                stretch: budget.map { Self.stretch(used: used, budget: $0) } ?? 1)
        }
    }
}
