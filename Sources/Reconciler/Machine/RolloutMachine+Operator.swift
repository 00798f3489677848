public import ClipnetContracts
public import Foundation
public import KnownGoodStore

/// What an operator asks for, as events. They change the pin, the failed marks and the
/// known-good pointer, never the rollout record itself: the next pass sees the new desired
/// revision and the machine supersedes or starts a rollout from there.
public enum OperatorEvent: Sendable, Equatable {
    case pin(PinRecord, forced: Bool, branch: String)
    case unpin(by: String, reason: String?)
    /// `to` is a full revision (already resolved), or nil for "the last good one".
    case rollback(to: String?, reason: String, by: String)
    /// Allows `revision` to roll out again.
    case retry(revision: String, by: String)
    /// A GitHub deployment request marks its revision for the environment (replacing any
    /// earlier request). Asking for a build is asking for it again: its failed mark is cleared,
    /// as `retry` would. The same deployment delivered twice changes nothing.
    case request(DeploymentRequest)
    /// Clears the deployment request's mark.
    case unmark(by: String, reason: String?)
}

extension RolloutMachine {
    /// Applies an operator's request to the record.
    /// - Returns: for a rollback, the known-good record the environment goes back to.
    /// - Throws: `OperatorError` when the request cannot be honoured as asked.
    public static func apply(
        _ event: OperatorEvent, to state: inout EnvironmentState, now: Date
    ) throws -> (rollbackTarget: KnownGoodRecord?, history: [HistoryEntry]) {
        switch event {
        case .pin(let record, let forced, let branch):
            state.pin = record
            return (
                nil,
                [
                    HistoryEntry(
                        at: record.at, kind: .pinned, revision: record.revision, by: record.by, reason: record.reason,
                        detail: forced ? "forced: not on \(branch)" : nil)
                ]
            )
        case .unpin(let by, let reason):
            guard let pin = state.pin else { return (nil, []) }
            state.pin = nil
            return (nil, [HistoryEntry(at: now, kind: .unpinned, revision: pin.revision, by: by, reason: reason?.nonEmpty)])
        case .retry(let revision, let by):
            state.failedRevisions.removeAll { $0.revision == revision }
            return (nil, [HistoryEntry(at: now, kind: .retried, revision: revision, by: by)])
        case .rollback(let wanted, let reason, let by):
            return try rollback(to: wanted, reason: reason, by: by, &state, now: now)
        case .request(let request):
            guard state.request?.deployment != request.deployment else { return (nil, []) }
            state.request = request
            state.failedRevisions.removeAll { $0.revision == request.revision }
            return (
                nil,
                [
                    HistoryEntry(
                        at: request.at, kind: .requested, revision: request.revision, by: request.by,
                        detail: "GitHub deployment \(request.deployment)\(request.ref.map { " of \($0)" } ?? "")")
                ]
            )
        case .unmark(let by, let reason):
            guard let request = state.request else { return (nil, []) }
            state.request = nil
            return (
                nil, [HistoryEntry(at: now, kind: .unmarked, revision: request.revision, by: by, reason: reason?.nonEmpty, detail: request.words)]
            )
        }
    }

    /// Rollback means: serve again what was last known-good and live, and hold back what is being
    /// left. While a rollout is in flight, or after one failed (its automatic rollback included),
    /// that is the current known-good record: the in-flight or failed revision is marked failed.
    /// When the environment is settled at its known-good revision, it is the known-good record
    /// that was live before it, and the settled revision is marked failed. Either way the target
    /// is pinned, so nothing rolls forward until someone unpins, and the revision left stays held
    /// back after that (only a new commit or `retry` releases it).
    private static func rollback(
        to wanted: String?, reason: String, by: String, _ state: inout EnvironmentState, now: Date
    ) throws -> (rollbackTarget: KnownGoodRecord?, history: [HistoryEntry]) {
        guard let current = state.knownGood else {
            throw OperatorError(.noRollbackTarget, "there is no known-good revision yet, so nothing to roll back to")
        }
        let active = state.rollout.flatMap { $0.isActive ? $0 : nil }
        let live = state.settledRevision
        // What is being left: the rollout in flight, else what runs, else the last rollout's.
        let leaving = active?.revision ?? live ?? state.rollout?.revision ?? current.revision
        let target: KnownGoodRecord
        if let wanted {
            guard let match = state.allKnownGood.first(where: { $0.revision == wanted }) else {
                let known = state.allKnownGood.map { CommitID.short($0.revision) }.joined(separator: ", ")
                throw OperatorError(.noRollbackTarget, "\(wanted) is not a known-good revision (known-good: \(known))")
            }
            if active == nil, live == wanted {
                throw OperatorError(
                    .noRollbackTarget, "staging already serves \(CommitID.short(wanted)); nothing to roll back (`reconciler pin` holds it there)")
            }
            target = match
            // An explicit target is the operator's decision: its failed mark no longer holds it.
            state.failedRevisions.removeAll { $0.revision == wanted }
        } else if leaving != current.revision {
            // In flight or failed away from the current known-good: back to it.
            target = current
        } else {
            guard let previous = state.previousKnownGood.first(where: { state.failure(for: $0.revision) == nil }) else {
                throw OperatorError(.noRollbackTarget, "there is no earlier known-good revision than \(CommitID.short(current.revision))")
            }
            target = previous
        }
        if leaving != target.revision {
            state.recordFailure(FailedRevision(revision: leaving, at: now, reason: "rolled back by \(by): \(reason)", phase: active?.phase))
        }
        if target.revision != current.revision {
            state.moveKnownGoodBack(to: target.revision)
        }
        state.pin = PinRecord(revision: target.revision, reason: "rollback: \(reason)", by: by, at: now)
        return (target, [HistoryEntry(at: now, kind: .rolledBack, revision: target.revision, by: by, reason: reason, detail: "from \(leaving)")])
    }
}
