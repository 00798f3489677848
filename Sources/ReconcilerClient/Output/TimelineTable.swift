public import ClipnetContracts
public import Foundation

/// `reconciler history --rollout ID`: the rollout's phases, when each began and how long it took,
/// then the platforms' own steps and what the controller added on top of them.
public enum TimelineTable {
    public static func render(_ spans: [PhaseSpan], platformSteps: [PlatformStep] = [], now: Date = Date()) -> String {
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
        if !platformSteps.isEmpty {
            var steps = TextTable(header: ["SERVICE", "PLATFORM STEP", "STARTED", "TOOK"])
            for step in platformSteps.sorted(by: { $0.startedAt < $1.startedAt }) {
                steps.rows.append([step.service.rawValue, step.step, TimeWords.stamp(step.startedAt), step.seconds.map(words) ?? "unfinished"])
            }
            text += "\n" + steps.render()
            if let added = spans.controllerAdded(platformSteps) {
                text += "\nthe reconciler added \(words(added)) after the platforms finished (deploy phases)\n"
            }
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
