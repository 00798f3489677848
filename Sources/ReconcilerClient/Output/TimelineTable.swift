public import ClipnetContracts
public import Foundation

/// `reconciler history --rollout ID`: the rollout's phases, when each began and how long it took.
public enum TimelineTable {
    public static func render(_ spans: [PhaseSpan], now: Date = Date()) -> String {
        let timed = spans.filter { $0.phase.isActive }
        guard !timed.isEmpty else { return "No timeline was recorded for this rollout.\n" }
        var table = TextTable(header: ["PHASE", "STARTED", "TOOK"])
        for span in timed {
            let seconds = max(0, (span.endedAt ?? now).timeIntervalSince(span.startedAt))
            table.rows.append([span.phase.rawValue, TimeWords.stamp(span.startedAt), words(seconds) + (span.endedAt == nil ? " so far" : "")])
        }
        var text = table.render()
        if let first = timed.first, let end = spans.last, !end.phase.isActive {
            text += "\nended \(end.phase.rawValue) after \(words(end.startedAt.timeIntervalSince(first.startedAt)))\n"
        }
        return text
    }

    /// `850 ms`, `12.4 s`, `3 min 05 s`.
    static func words(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: "\(Int((seconds * 1000).rounded())) ms"
        case ..<60: String(format: "%.1f s", seconds)
        default: String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
        }
    }
}
