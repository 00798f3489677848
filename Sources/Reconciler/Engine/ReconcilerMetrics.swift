import ClipnetContracts
import DriftDetector
import Metrics

/// The reconciler's counters, named after Prometheus conventions. Gauges that describe the
/// current state (drift, revisions, leadership, the worker fleet) are rendered from the status
/// document at scrape time by the HTTP server instead, so no stale series is ever left behind.
enum ReconcilerMetrics {
    static func rollout(_ result: String) {
        Counter(label: "reconciler_rollouts_total", dimensions: [("result", result)]).increment()
    }

    static func rollback(_ result: String) {
        Counter(label: "reconciler_rollbacks_total", dimensions: [("result", result)]).increment()
    }

    /// How long a rollout stayed in a phase, recorded when the machine leaves it.
    static func phaseEnded(_ span: PhaseSpan) {
        guard let seconds = span.seconds else { return }
        Timer(label: "reconciler_rollout_phase_duration_seconds", dimensions: [("phase", span.phase.rawValue)], preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    static func driftHealed(_ kind: DriftKind) {
        Counter(label: "reconciler_drift_healed_total", dimensions: [("kind", kind.rawValue)]).increment()
    }
}
