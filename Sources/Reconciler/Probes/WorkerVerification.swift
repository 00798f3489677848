import ClipnetContracts
import ClipnetFormats
import Foundation

/// Whether the worker deployment at a revision reports that revision through its heartbeats.
///
/// Any heartbeat at R is not enough: the new deployment's own workers must report R. Workers
/// that name their deployment are judged by it (the new deployment's must all report R; others
/// are the old deployment draining and are ignored). Workers that do not are judged by when they
/// started: at least one reports R, and none that started after the first R worker reports another
/// revision (an old worker still draining started before; a live worker at another revision
/// that started after the deploy is version skew).
public enum WorkerVerification {
    public static func judge(_ fleet: WorkerFleet, revision: String, deployments: Set<String>) -> (verified: Bool, detail: String) {
        guard !fleet.workers.isEmpty else { return (false, "no worker heartbeat") }
        let named = fleet.workers.filter { $0.deploymentId.map(deployments.contains) == true }
        if !named.isEmpty {
            let wrong = named.filter { !CommitID.same($0.version, revision) }
            if wrong.isEmpty { return (true, "\(named.count) worker(s) of the new deployment report \(CommitID.short(revision))") }
            return (false, "workers of the new deployment report " + Set(wrong.map { CommitID.short($0.version) }).sorted().joined(separator: ", "))
        }
        let anonymous = fleet.workers.filter { $0.deploymentId == nil }
        let atRevision = anonymous.filter { CommitID.same($0.version, revision) }
        guard !atRevision.isEmpty else {
            return (false, "worker heartbeats report " + fleet.versions.map { CommitID.short($0.version) }.joined(separator: ", "))
        }
        let firstAtRevision = atRevision.compactMap { $0.startedAt.flatMap(RFC3339.date(from:)) }.min()
        let skewed = anonymous.filter { worker in
            guard !CommitID.same(worker.version, revision) else { return false }
            guard let first = firstAtRevision, let started = worker.startedAt.flatMap(RFC3339.date(from:)) else { return false }
            return started > first
        }
        if !skewed.isEmpty {
            return (
                false, "worker(s) started after the deploy report " + Set(skewed.map { CommitID.short($0.version) }).sorted().joined(separator: ", ")
            )
        }
        let draining = anonymous.count - atRevision.count
        return (
            true, "\(atRevision.count) worker(s) report \(CommitID.short(revision))" + (draining > 0 ? "; \(draining) older one(s) draining" : "")
        )
    }
}
