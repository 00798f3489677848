public import ClipnetContracts

/// How `--wait` judges a status document after an operator's request: settled, failed, or not
/// yet. Only status produced by a pass that started after the request counts (its
/// `lastReconcile.generation` has reached the record's generation read right after the
/// request): a failure or block left over from before the request is not its outcome.
public enum SettleJudgement: Equatable, Sendable {
    case settled
    case failed(String)
    case pending

    /// - Parameter after: the record's generation just after the request (nil: judge any status,
    ///   for daemons that do not report generations).
    public static func judge(_ document: StatusDocument, after generation: Int64?) -> SettleJudgement {
        if let generation {
            guard let seen = document.lastReconcile?.generation, seen >= generation else { return .pending }
        }
        let active = document.rollout?.isActive ?? false
        if active { return .pending }
        if let failed = document.desired.failed { return .failed("\(document.desired.revision.map(CommitID.short) ?? "?") failed: \(failed.reason)") }
        if let blocked = document.blockedBy { return .failed(blocked) }
        guard let desired = document.desired.revision, !document.services.isEmpty else { return .pending }
        let atDesired = document.services.allSatisfy { CommitID.same($0.revision, desired) }
        return atDesired ? .settled : .pending
    }
}
