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

    static func driftHealed(_ kind: DriftKind) {
        Counter(label: "reconciler_drift_healed_total", dimensions: [("kind", kind.rawValue)]).increment()
    }
}
