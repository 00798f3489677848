import Foundation
import GitWatch
import KnownGoodStore

/// What operators ask for (`reconciler pin | unpin | rollback | retry`), as changes to the
/// environment's record in the store. Each one is recorded in history with who and why; the
/// control loop then moves the platforms (a re-point when the target is known-good).
///
/// Rollback is "pin the previous known-good record": the environment stays there whatever lands
/// on the branch until someone unpins, and the revision rolled back from is marked failed so that
/// unpinning does not roll it straight out again (only a new commit or `retry` does).
public struct OperatorActions: Sendable {
    public let environment: String
    public let branch: String
    private let store: any StateStore
    private let mirror: GitMirror

    public init(environment: String, branch: String, store: any StateStore, mirror: GitMirror) {
        self.environment = environment
        self.branch = branch
        self.store = store
        self.mirror = mirror
    }

    /// Pins `revision` (any form git understands). A revision that is not on the watched branch
    /// needs `force`, because pinning it deploys code that never went through the branch.
    @discardableResult
    public func pin(_ revision: String, reason: String, by: String, force: Bool = false) async throws -> PinRecord {
        try require(reason: reason, by: by)
        let commit = try await resolve(revision)
        if !force {
            guard let head = try await mirror.head(of: branch), try await mirror.isAncestor(commit, of: head) else {
                throw OperatorError(.notOnBranch, "\(commit.hex) is not on branch \(branch); pin it anyway with force (--force)")
            }
        }
        let record = PinRecord(revision: commit.hex, reason: reason, by: by, at: Date())
        try await store.update(environment: environment) { state in
            state.pin = record
            return [HistoryEntry(at: record.at, kind: .pinned, revision: record.revision, by: by, reason: reason, detail: force ? "forced: not on \(self.branch)" : nil)]
        }
        return record
    }

    /// Follows the branch again. Unpinning when nothing is pinned changes nothing.
    public func unpin(by: String, reason: String = "") async throws {
        try require(reason: nil, by: by)
        try await store.update(environment: environment) { state in
            guard let pin = state.pin else { return [] }
            state.pin = nil
            return [HistoryEntry(at: Date(), kind: .unpinned, revision: pin.revision, by: by, reason: reason.isEmpty ? nil : reason)]
        }
    }

    /// Pins the previous known-good revision (or `to`, which must be a known-good revision),
    /// moves the known-good pointer there, and marks the revision rolled back from as failed.
    @discardableResult
    public func rollback(to revision: String? = nil, reason: String, by: String) async throws -> KnownGoodRecord {
        try require(reason: reason, by: by)
        let wanted = try await revision.asyncMap { try await resolve($0).hex }
        let now = Date()
        let (_, target) = try await store.updateReturning(environment: environment) { state -> (KnownGoodRecord, [HistoryEntry]) in
            guard let current = state.knownGood else {
                throw OperatorError(.noRollbackTarget, "there is no known-good revision yet, so nothing to roll back to")
            }
            let candidates = state.previousKnownGood.filter { state.failure(for: $0.revision) == nil }
            let target: KnownGoodRecord
            if let wanted {
                guard let match = state.allKnownGood.first(where: { $0.revision == wanted }) else {
                    let known = state.allKnownGood.map { String($0.revision.prefix(12)) }.joined(separator: ", ")
                    throw OperatorError(.noRollbackTarget, "\(wanted) is not a known-good revision (known-good: \(known))")
                }
                target = match
            } else {
                guard let previous = candidates.first else {
                    throw OperatorError(.noRollbackTarget, "there is no earlier known-good revision than \(current.revision.prefix(12))")
                }
                target = previous
            }
            if target.revision != current.revision {
                state.moveKnownGoodBack(to: target.revision)
                state.recordFailure(FailedRevision(revision: current.revision, at: now, reason: "rolled back by \(by): \(reason)", phase: nil))
            }
            state.pin = PinRecord(revision: target.revision, reason: "rollback: \(reason)", by: by, at: now)
            return (target, [HistoryEntry(
                at: now, kind: .rolledBack, revision: target.revision, by: by, reason: reason,
                detail: "from \(current.revision)")])
        }
        return target
    }

    /// Allows a failed revision to roll out again (the desired one, or `revision`).
    public func retry(_ revision: String? = nil, by: String) async throws {
        try require(reason: nil, by: by)
        let explicit = try await revision.asyncMap { try await resolve($0).hex }
        let head = try await mirror.head(of: branch)?.hex
        try await store.update(environment: environment) { state in
            guard let target = explicit ?? state.pin?.revision ?? head else { return [] }
            state.failedRevisions.removeAll { $0.revision == target }
            return [HistoryEntry(at: Date(), kind: .retried, revision: target, by: by)]
        }
    }

    private func resolve(_ revision: String) async throws -> CommitID {
        do {
            return try await mirror.resolve(revision)
        } catch let error as GitError where error.code == .notFound || error.code == .invalidArgument || error.code == .ambiguous {
            throw OperatorError(.unknownRevision, error.message)
        }
    }

    private func require(reason: String?, by: String) throws {
        if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw OperatorError(.invalidRequest, "a reason is required")
        }
        if by.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw OperatorError(.invalidRequest, "who is asking (by) is required")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
