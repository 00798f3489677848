public import ClipnetContracts
public import Foundation

/// Deployment frequency, lead time for changes, change failure rate and time to restore, read
/// from the history (oldest first), which records every rollout, failure and rollback.
///
/// The rules:
/// - A *deployment* is a `knownGood` entry: a rollout of a revision that passed the health gate.
///   Its lead time is `at - commitAt` (the revision's author time), when recorded.
/// - A *change failure* is the first `rolloutFailed` entry of a build rollout (a failed rollback
///   of the same rollout is not a second one; a failed re-point is an operator's action, not a
///   change; a revision the release gate held back never reached the environment: its timeline
///   never left `checkGate`).
/// - An *incident* opens at the first change failure while none is open and closes at the next
///   entry that shows the environment on a known-good revision again (`rolledBack`, `repointed`,
///   `knownGood`): that span is one time to restore.
public enum DeliveryMetrics {
    public enum Event: Sendable, Equatable {
        case deployed(at: Date, leadTime: Double?)
        case failed(at: Date)
        case restored(at: Date, after: Double)

        public var at: Date {
            switch self {
            case .deployed(let at, _), .failed(let at), .restored(let at, _): at
            }
        }
    }

    /// The events of `history` (oldest first), each with the sequence of the entry it came from.
    public static func events(_ history: [HistoryEntry]) -> [(sequence: Int64, event: Event)] {
        var events: [(Int64, Event)] = []
        var rePoints: Set<String> = []
        var failed: Set<String> = []
        var incident: Date?
        func restore(_ entry: HistoryEntry) {
            guard let start = incident else { return }
            events.append((entry.sequence, .restored(at: entry.at, after: entry.at.timeIntervalSince(start))))
            incident = nil
        }
        for entry in history {
            switch entry.kind {
            case .rolloutStarted:
                if let id = entry.rolloutID, entry.detail?.hasPrefix("re-point") == true { rePoints.insert(id) }
            case .knownGood:
                events.append((entry.sequence, .deployed(at: entry.at, leadTime: entry.commitAt.map { entry.at.timeIntervalSince($0) })))
                restore(entry)
            case .rolloutFailed:
                guard let id = entry.rolloutID, !rePoints.contains(id), !heldAtGate(entry), failed.insert(id).inserted else { continue }
                events.append((entry.sequence, .failed(at: entry.at)))
                if incident == nil { incident = entry.at }
            case .rolledBack, .repointed:
                restore(entry)
            case .pinned, .unpinned, .retried, .driftHealed, .rolloutSuperseded, .promoted, .requested, .unmarked:
                break
            }
        }
        return events
    }

    /// Whether the failure is the release gate's: the rollout never got past `checkGate`, so
    /// nothing of it was deployed and the environment never left its known-good revision.
    static func heldAtGate(_ entry: HistoryEntry) -> Bool {
        guard let timeline = entry.timeline, timeline.contains(where: { $0.phase == .checkGate }) else { return false }
        return !timeline.contains { $0.phase.isActive && $0.phase != .checkGate }
    }

    /// The figures of the `days` days up to `now`.
    public static func window(_ events: [Event], days: Int, now: Date) -> DeliverySummary.Window {
        let from = now.addingTimeInterval(-Double(days) * 86_400)
        // Not bounded above: an entry a moment ahead of `now` (another replica's clock, the
        // store's millisecond rounding) is recent, not excluded.
        let recent = events.filter { $0.at > from }
        var leadTimes: [Double] = []
        var restores: [Double] = []
        var deployments = 0
        var failures = 0
        for event in recent {
            switch event {
            case .deployed(_, let leadTime):
                deployments += 1
                if let leadTime { leadTimes.append(leadTime) }
            case .failed: failures += 1
            case .restored(_, let after): restores.append(after)
            }
        }
        let finished = deployments + failures
        return DeliverySummary.Window(
            days: days, deployments: deployments, deploymentsPerDay: Double(deployments) / Double(max(1, days)),
            leadTimeSeconds: median(leadTimes), failedRollouts: failures,
            changeFailureRate: finished == 0 ? nil : Double(failures) / Double(finished), restores: restores.count,
            timeToRestoreSeconds: median(restores))
    }

    /// The summary the status document carries: the last 7 and 30 days.
    public static func summary(_ history: [HistoryEntry], now: Date) -> DeliverySummary {
        let events = events(history).map(\.event)
        return DeliverySummary(windows: [7, 30].map { window(events, days: $0, now: now) })
    }

    /// The middle value, or the mean of the two middle values; nil for none.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
