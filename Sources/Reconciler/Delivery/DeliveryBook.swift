public import ClipnetContracts
public import Foundation
public import KnownGoodStore
import Metrics
import Synchronization

/// Keeps `/status`'s delivery summary and `/metrics`' delivery series in step with the history.
///
/// Why from the history and not from the machine's transitions: the history is what survives a
/// restart and what every replica shares, so the page's 7- and 30-day figures are the same on
/// any replica and after any restart. The Prometheus series count what this process saw appended
/// (counters and histograms start at zero with the process, as Prometheus expects); PromQL's
/// `increase` and `histogram_quantile` give any window from them.
public final class DeliveryBook: Sendable {
    private struct Seen {
        var historySequence: Int64?
        var sequence: Int64?
        var at: Date?
    }

    /// Enough for 30 days of a busy environment (a rollout writes two to five entries).
    static let historyLimit = 5_000
    /// The windows move with time: recomputed this often even when the history did not change.
    static let refreshSeconds: Double = 600

    private let seen = Mutex(Seen())

    public init() {}

    /// Reads the history when entries were appended since the last read (`historySequence`, the
    /// record's newest entry) or the summary is old, records the delivery events appended since,
    /// and returns the new summary; nil when nothing was read.
    public func refresh(store: any StateStore, environment: String, historySequence: Int64, now: Date) async -> DeliverySummary? {
        let due = seen.withLock { seen in
            seen.historySequence != historySequence || seen.at.map { now.timeIntervalSince($0) > Self.refreshSeconds } ?? true
        }
        guard due, let newestFirst = try? await store.history(environment: environment, limit: Self.historyLimit) else { return nil }
        let history = Array(newestFirst.reversed())
        let previous = seen.withLock { seen -> Int64? in
            defer {
                seen.historySequence = historySequence
                seen.at = now
                seen.sequence = history.last?.sequence ?? seen.sequence
            }
            return seen.sequence
        }
        // The first read only sets the mark: what happened before this process is in the
        // summary, not replayed into the counters.
        if let previous {
            for (sequence, event) in DeliveryMetrics.events(history) where sequence > previous { Self.record(event) }
        }
        return DeliveryMetrics.summary(history, now: now)
    }

    private static func record(_ event: DeliveryMetrics.Event) {
        switch event {
        case .deployed(_, let leadTime):
            Counter(label: "reconciler_deployments_total").increment()
            if let leadTime {
                Timer(label: "reconciler_change_lead_time_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(Int64(max(0, leadTime) * 1e9))
            }
        case .failed:
            Counter(label: "reconciler_change_failures_total").increment()
        case .restored(_, let after):
            Timer(label: "reconciler_time_to_restore_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(Int64(max(0, after) * 1e9))
        }
    }
}
