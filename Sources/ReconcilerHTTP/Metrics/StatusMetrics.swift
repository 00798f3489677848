import ClipnetContracts
import ClipnetFormats
import Reconciler

/// Gauges derived from the status document at scrape time: current drift by kind, the desired
/// and known-good revisions as info gauges, leadership, and the worker fleet (queue depth, dead
/// jobs, live workers by version) as the last pass read it from Redis.
///
/// Why computed from the document and not kept in the registry: an info gauge labelled with a
/// revision must disappear when the revision changes; rendering from the current document
/// never leaves a stale series behind, and costs one pass over a small document per change.
enum StatusMetrics {
    static let driftKinds = DriftKind.allCases.map(\.rawValue)

    static func render(_ document: StatusDocument) -> String {
        var out = ""
        out += "# HELP reconciler_drift Differences between the desired and the observed environment, by kind.\n"
        out += "# TYPE reconciler_drift gauge\n"
        var counts: [String: Int] = [:]
        for item in document.drift { counts[item.kind, default: 0] += 1 }
        for kind in (driftKinds + counts.keys.filter { !driftKinds.contains($0) }.sorted()) {
            out += "reconciler_drift{kind=\"\(PrometheusText.labelValue(kind))\"} \(counts[kind] ?? 0)\n"
        }
        out += "# HELP reconciler_desired_revision_info The revision the environment should run, and why (branch or pin).\n"
        out += "# TYPE reconciler_desired_revision_info gauge\n"
        if let revision = document.desired.revision {
            out +=
                "reconciler_desired_revision_info{environment=\"\(PrometheusText.labelValue(document.environment))\",revision=\"\(PrometheusText.labelValue(revision))\",source=\"\(document.desired.source.rawValue)\"} 1\n"
        }
        out += "# HELP reconciler_known_good_revision_info The last revision that rolled out and passed the health gate.\n"
        out += "# TYPE reconciler_known_good_revision_info gauge\n"
        if let knownGood = document.knownGood {
            out +=
                "reconciler_known_good_revision_info{environment=\"\(PrometheusText.labelValue(document.environment))\",revision=\"\(PrometheusText.labelValue(knownGood.revision))\"} 1\n"
        }
        out += "# HELP reconciler_leader Whether this replica is the active one (1) or a standby (0).\n"
        out += "# TYPE reconciler_leader gauge\n"
        out += "reconciler_leader \(document.leader ? 1 : 0)\n"
        if let workers = document.workers {
            out += "# HELP clipnet_worker_queue_depth Jobs waiting in the environment's queue (from the worker's Redis keys).\n"
            out += "# TYPE clipnet_worker_queue_depth gauge\n"
            out += "clipnet_worker_queue_depth \(workers.queueDepth)\n"
            out += "# HELP clipnet_worker_dead_jobs Jobs in the environment's dead set.\n"
            out += "# TYPE clipnet_worker_dead_jobs gauge\n"
            out += "clipnet_worker_dead_jobs \(workers.deadJobs)\n"
            out += "# HELP clipnet_workers_live Workers with a live heartbeat, by the version they run.\n"
            out += "# TYPE clipnet_workers_live gauge\n"
            for version in workers.versions {
                out += "clipnet_workers_live{version=\"\(PrometheusText.labelValue(version.version))\"} \(version.count)\n"
            }
        }
        return out
    }
}
