import AsyncPrimitives
public import ClipnetContracts
public import Foundation
import GitWatch
public import KnownGoodStore

/// What operators ask for (`reconciler pin | unpin | rollback | retry`), as events into the
/// rollout machine (`RolloutMachine.apply(_: OperatorEvent, ...)`), committed atomically with a
/// history entry naming who and why. The control loop then moves the platforms (a re-point when
/// the target is known-good).
///
/// Rollback goes back to what was last known-good and live, pins it, and marks the revision left
/// (in flight, failed, or settled) as failed, so that unpinning does not roll it straight out
/// again (only a new commit or `retry` does).
public struct OperatorActions: Sendable {
    public let environment: String
    public let branch: String
    private let store: any StateStore
    private let repository: any ManifestRepository
    private let now: @Sendable () -> Date

    public init(
        environment: String, branch: String, store: any StateStore, repository: any ManifestRepository,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.branch = branch
        self.store = store
        self.repository = repository
        self.now = now
    }

    /// Pins `revision` (any form git understands). A revision that is not on the watched branch
    /// needs `force`, because pinning it deploys code that never went through the branch.
    @discardableResult
    public func pin(_ revision: String, reason: String, by: String, force: Bool = false) async throws -> PinRecord {
        try require(reason: reason, by: by)
        let commit = try await resolve(revision)
        if !force {
            guard let head = try await repository.head(of: branch), try await repository.isAncestor(commit, of: head) else {
                throw OperatorError(.notOnBranch, "\(commit.hex) is not on branch \(branch); pin it anyway with force (--force)")
            }
        }
        let record = PinRecord(revision: commit.hex, reason: reason, by: by, at: now())
        let branch = self.branch
        try await apply(.pin(record, forced: force, branch: branch))
        return record
    }

    /// Follows the branch again. Unpinning when nothing is pinned changes nothing.
    public func unpin(by: String, reason: String = "") async throws {
        try require(reason: nil, by: by)
        try await apply(.unpin(by: by, reason: reason))
    }

    /// Marks `revision` for the environment on behalf of a GitHub deployment request; the same
    /// deployment twice changes nothing.
    @discardableResult
    public func request(revision: String, deployment: Int64, by: String, ref: String?) async throws -> DeploymentRequest {
        try require(reason: nil, by: by)
        let commit = try await resolve(revision)
        guard commit.hex == revision.lowercased() else {
            throw OperatorError(.unknownRevision, "a deployment request names a full commit id; \(revision) is not one")
        }
        let request = DeploymentRequest(revision: commit.hex, deployment: deployment, by: by, ref: ref, at: now())
        let now = self.now
        return try await store.updateReturning(environment: environment) { state -> (DeploymentRequest, [HistoryEntry]) in
            let (_, history) = try RolloutMachine.apply(.request(request), to: &state, now: now())
            return (state.request ?? request, history)
        }.1
    }

    /// Clears the deployment request's mark. Returns the request cleared, if one stood.
    @discardableResult
    public func unmark(by: String, reason: String?) async throws -> DeploymentRequest? {
        try require(reason: nil, by: by)
        let now = self.now
        return try await store.updateReturning(environment: environment) { state -> (DeploymentRequest?, [HistoryEntry]) in
            let cleared = state.request
            let (_, history) = try RolloutMachine.apply(.unmark(by: by, reason: reason), to: &state, now: now())
            return (cleared, history)
        }.1
    }

    /// Goes back to the last known-good revision that was live (or `to`, which must be a
    /// known-good revision; its failed mark is cleared, an explicit target being the operator's
    /// decision), pins it, and marks the revision left as failed.
    @discardableResult
    public func rollback(to revision: String? = nil, reason: String, by: String) async throws -> KnownGoodRecord {
        try require(reason: reason, by: by)
        let wanted = try await revision.asyncMap { try await resolve($0).hex }
        guard let target = try await apply(.rollback(to: wanted, reason: reason, by: by)) else {
            throw OperatorError(.noRollbackTarget, "there is nothing to roll back to")
        }
        return target
    }

    /// Allows a failed revision to roll out again (the desired one, or `revision`).
    public func retry(_ revision: String? = nil, by: String) async throws {
        try require(reason: nil, by: by)
        let explicit = try await revision.asyncMap { try await resolve($0).hex }
        let head = try await repository.head(of: branch)?.hex
        let now = self.now
        try await store.update(environment: environment) { state in
            guard let target = explicit ?? state.pin?.revision ?? head else { return [] }
            return try RolloutMachine.apply(.retry(revision: target, by: by), to: &state, now: now()).history
        }
    }

    /// Promotes `revision` to the next environment: it must be a known-good record of this one,
    /// not marked failed, and known-good for at least `soak`. `push` fast-forwards `branch` of
    /// the repository to it (and returns where it was); who and why go into history.
    /// - Throws: `OperatorError(.notPromotable)` with the reason when any rule refuses it.
    @discardableResult
    public func promote(
        _ revision: String, reason: String, by: String, branch: String, soak: Duration,
        push: @Sendable (CommitID, String) async throws -> CommitID?
    ) async throws -> Promotion {
        try require(reason: reason, by: by)
        let commit = try await resolve(revision)
        let state = try await store.load(environment: environment)
        guard let record = state.allKnownGood.first(where: { $0.revision == commit.hex }) else {
            let known = state.allKnownGood.prefix(5).map { CommitID.short($0.revision) }.joined(separator: ", ")
            throw OperatorError(
                .notPromotable, "\(commit.hex) is not a known-good revision of \(environment)\(known.isEmpty ? "" : " (known-good: \(known))")")
        }
        if let failure = state.failure(for: commit.hex) {
            throw OperatorError(.notPromotable, "\(commit.hex) is marked failed on \(environment): \(failure.reason)")
        }
        let age = now().timeIntervalSince(record.at)
        if age < soak.seconds {
            throw OperatorError(
                .notPromotable,
                "\(commit.hex) has been known-good for \(Int(age)) s; promotion needs \(Int(soak.seconds)) s (promotion.soak)")
        }
        let before: CommitID?
        do {
            before = try await push(commit, branch)
        } catch let refusal as PushRefusal {
            throw OperatorError(.notPromotable, refusal.description)
        } catch let error as GitError {
            throw OperatorError(.unavailable, "the repository did not take the push: \(error.message)")
        }
        let at = now()
        // Already there: nothing moved, nothing to record.
        if before == commit { return Promotion(revision: commit.hex, branch: branch, previous: before?.hex, at: at) }
        let detail = "\(branch): \(before.map { CommitID.short($0.hex) } ?? "created") -> \(CommitID.short(commit.hex))"
        try await store.update(environment: environment) { _ in
            [HistoryEntry(at: at, kind: .promoted, revision: commit.hex, by: by, reason: reason, detail: detail)]
        }
        return Promotion(revision: commit.hex, branch: branch, previous: before?.hex, at: at)
    }

    @discardableResult
    private func apply(_ event: OperatorEvent) async throws -> KnownGoodRecord? {
        let now = self.now
        let (_, target) = try await store.updateReturning(environment: environment) { state -> (KnownGoodRecord?, [HistoryEntry]) in
            let (target, history) = try RolloutMachine.apply(event, to: &state, now: now())
            return (target, history)
        }
        return target
    }

    private func resolve(_ revision: String) async throws -> CommitID {
        do {
            return try await repository.resolve(revision)
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
