import DriftDetector
import Metrics
import Synchronization

/// The reconciler's own metrics, named after Prometheus conventions (`_total` counters, base
/// units). Revisions are exposed as info gauges: the current one at 1, a replaced one set to 0.
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

    static func drift(_ drift: [Drift]) {
        for kind in DriftKind.allCases {
            Gauge(label: "reconciler_drift", dimensions: [("kind", kind.rawValue)]).record(drift.filter { $0.kind == kind }.count)
        }
    }

    private static let revisions = Mutex<[String: String]>([:])

    /// Sets `reconciler_<name>_revision_info{revision=...}` to 1 and the previous revision's to 0.
    static func revisionInfo(_ name: String, _ revision: String?) {
        let label = "reconciler_\(name)_revision_info"
        let previous = revisions.withLock { table -> String? in
            let old = table[name]
            table[name] = revision
            return old
        }
        if let previous, previous != revision {
            Gauge(label: label, dimensions: [("revision", previous)]).record(0)
        }
        if let revision { Gauge(label: label, dimensions: [("revision", revision)]).record(1) }
    }

    static func workers(_ fleet: WorkerFleet) {
        Gauge(label: "clipnet_worker_queue_depth").record(fleet.queueDepth)
        Gauge(label: "clipnet_worker_dead_jobs").record(fleet.deadJobs)
        Gauge(label: "clipnet_workers_live").record(fleet.workers.count)
        let current = Dictionary(fleet.versions.map { ($0.version, $0.count) }, uniquingKeysWith: +)
        let previous = workerVersions.withLock { table -> Set<String> in
            let old = table
            table = Set(current.keys)
            return old
        }
        for version in previous.subtracting(current.keys) {
            Gauge(label: "clipnet_workers_live_by_version", dimensions: [("version", version)]).record(0)
        }
        for (version, count) in current {
            Gauge(label: "clipnet_workers_live_by_version", dimensions: [("version", version)]).record(count)
        }
    }

    private static let workerVersions = Mutex<Set<String>>([])
}
