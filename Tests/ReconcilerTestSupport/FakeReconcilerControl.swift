public import ClipnetContracts
import DriftDetector
import Foundation
import GitWatch
import KnownGoodStore
public import Reconciler
import Synchronization

/// An in-memory `ReconcilerControl`: what the HTTP server, the status page, the CLI and the
/// benchmark run against instead of a daemon with git, platforms and a store.
///
/// It behaves like the daemon where the operator can see it (a pin changes the desired revision
/// and the status version, rollback moves the known-good pointer and pins, every action lands in
/// history with who and why, unknown revisions and revisions off the branch are refused with the
/// daemon's error codes), and it records every call so tests can check what reached the daemon.
public final class FakeReconcilerControl: ReconcilerControl {
    /// An operation whose next calls can be made to fail with `fail(_:with:)`.
    public enum Operation: Sendable, Hashable {
        case history, readiness, reconcile, pin, unpin, rollback, plan, cleanupPreview
    }

    /// What reached the control, in order.
    public enum Call: Sendable, Equatable {
        case reconcile(retry: Bool, by: String)
        case pin(revision: String, reason: String, by: String, force: Bool)
        case unpin(reason: String?, by: String)
        case rollback(to: String?, reason: String, by: String)
        case promote(revision: String, reason: String, by: String)
        case requestDeployment(revision: String, deployment: Int64, by: String, ref: String?)
        case unmark(reason: String?, by: String)
        case push(ref: String, after: String?)
        case platformEvent(PlatformEvent)
        case checksChanged(sha: String)
        case cleanupPreview(apply: Bool, by: String)
    }

    public let environment: String
    public let branch: String
    /// The task the sample daemon takes deployment requests with (`github.requestTask`).
    public let deploymentRequestTask: String? = "deploy:request"
    private let state: Mutex<Model>

    public init(_ model: Model = SampleEnvironment.model()) {
        self.environment = model.environment
        self.branch = model.watch.branch
        self.state = Mutex(model)
    }

    // MARK: - ReconcilerControl

    public func status() -> StatusSnapshot {
        state.withLock { model in
            if model.cachedDocument == nil { model.cachedDocument = model.buildDocument() }
            return StatusSnapshot(document: model.cachedDocument!, version: model.version)
        }
    }

    public func history(limit: Int) async throws -> [HistoryEntry] {
        try state.withLock { model in
            try model.throwIfFailing(.history)
            return Array(model.history.reversed().prefix(max(0, limit)))
        }
    }

    public func readiness() async -> Readiness {
        state.withLock { $0.readiness }
    }

    public func reconcile(retry: Bool, by actor: String) async throws {
        try state.withLock { model in
            model.calls.append(.reconcile(retry: retry, by: actor))
            try model.throwIfFailing(.reconcile)
            if retry, let desired = model.desiredRevision {
                model.state.failedRevisions.removeAll { $0.revision == desired }
                model.record(HistoryEntry(at: model.now(), kind: .retried, revision: desired, by: actor))
            }
            model.changed()
        }
    }

    public func pin(_ revision: String, reason: String, by actor: String, force: Bool) async throws -> PinRecord {
        try state.withLock { model in
            model.calls.append(.pin(revision: revision, reason: reason, by: actor, force: force))
            try model.throwIfFailing(.pin)
            try Model.require(reason: reason)
            let full = try model.resolve(revision)
            if !force, !model.branchRevisions.contains(full) {
                throw OperatorError(.notOnBranch, "\(full) is not on branch \(model.watch.branch); pin it anyway with force (--force)")
            }
            let record = PinRecord(revision: full, reason: reason, by: actor, at: model.now())
            model.state.pin = record
            model.record(
                HistoryEntry(
                    at: record.at, kind: .pinned, revision: full, by: actor, reason: reason,
                    detail: force ? "forced: not on \(model.watch.branch)" : nil))
            model.changed()
            return record
        }
    }

    public func unpin(reason: String?, by actor: String) async throws {
        try state.withLock { model in
            model.calls.append(.unpin(reason: reason, by: actor))
            try model.throwIfFailing(.unpin)
            guard let pin = model.state.pin else { return }
            model.state.pin = nil
            model.record(HistoryEntry(at: model.now(), kind: .unpinned, revision: pin.revision, by: actor, reason: reason))
            model.changed()
        }
    }

    /// Promotes a known-good revision of the model (the fake pushes nothing): `production` moves to it.
    public func promote(_ revision: String, reason: String, by actor: String) async throws -> Promotion {
        try state.withLock { model in
            model.calls.append(.promote(revision: revision, reason: reason, by: actor))
            try Model.require(reason: reason)
            guard let record = model.state.allKnownGood.first(where: { $0.revision == revision }) else {
                throw OperatorError(.notPromotable, "\(revision) is not a known-good revision of \(model.environment)")
            }
            return Promotion(revision: record.revision, branch: "production", previous: nil, at: Date(timeIntervalSince1970: 1_765_000_000))
        }
    }

    /// Marks a known revision of the model, as the daemon's rollout machine does (the same
    /// deployment twice changes nothing).
    public func requestDeployment(revision: String, deployment: Int64, by actor: String, ref: String?) async throws -> DeploymentRequest {
        try state.withLock { model in
            model.calls.append(.requestDeployment(revision: revision, deployment: deployment, by: actor, ref: ref))
            let wanted = try model.resolve(revision)
            if let current = model.state.request, current.deployment == deployment { return current }
            let request = DeploymentRequest(revision: wanted, deployment: deployment, by: actor, ref: ref, at: model.now())
            var state = model.state
            let (_, history) = try RolloutMachine.apply(.request(request), to: &state, now: model.now())
            model.state = state
            history.forEach { model.record($0) }
            model.changed()
            return request
        }
    }

    public func unmark(reason: String?, by actor: String) async throws -> DeploymentRequest? {
        try state.withLock { model in
            model.calls.append(.unmark(reason: reason, by: actor))
            let cleared = model.state.request
            var state = model.state
            let (_, history) = try RolloutMachine.apply(.unmark(by: actor, reason: reason), to: &state, now: model.now())
            model.state = state
            history.forEach { model.record($0) }
            if cleared != nil { model.changed() }
            return cleared
        }
    }

    public func rollback(to revision: String?, reason: String, by actor: String) async throws -> KnownGoodRecord {
        try state.withLock { model in
            model.calls.append(.rollback(to: revision, reason: reason, by: actor))
            try model.throwIfFailing(.rollback)
            try Model.require(reason: reason)
            guard let current = model.state.knownGood else {
                throw OperatorError(.noRollbackTarget, "there is no known-good revision yet, so nothing to roll back to")
            }
            let target: KnownGoodRecord
            if let revision {
                let wanted = try model.resolve(revision)
                guard let match = model.state.allKnownGood.first(where: { $0.revision == wanted }) else {
                    throw OperatorError(.noRollbackTarget, "\(wanted) is not a known-good revision")
                }
                target = match
            } else {
                guard let previous = model.state.previousKnownGood.first else {
                    throw OperatorError(.noRollbackTarget, "there is no earlier known-good revision than \(current.revision.prefix(12))")
                }
                target = previous
            }
            let now = model.now()
            if target.revision != current.revision {
                model.state.moveKnownGoodBack(to: target.revision)
                model.state.recordFailure(
                    FailedRevision(revision: current.revision, at: now, reason: "rolled back by \(actor): \(reason)", phase: nil))
            }
            model.state.pin = PinRecord(revision: target.revision, reason: "rollback: \(reason)", by: actor, at: now)
            model.record(
                HistoryEntry(at: now, kind: .rolledBack, revision: target.revision, by: actor, reason: reason, detail: "from \(current.revision)"))
            model.changed()
            return target
        }
    }

    public func platformEvent(_ event: PlatformEvent) -> Bool {
        state.withLock { model in
            model.calls.append(.platformEvent(event))
            return event.concerns(model.state.rollout)
        }
    }

    public func checksChanged(sha: String) -> Bool {
        state.withLock { model in
            model.calls.append(.checksChanged(sha: sha))
            return model.state.rollout?.phase == .checkGate && model.state.rollout?.revision == sha
        }
    }

    public func push(ref: String, after: String?) -> Bool {
        state.withLock { model in
            model.calls.append(.push(ref: ref, after: after))
            return ref == "refs/heads/\(model.watch.branch)"
        }
    }

    public func plan() async throws -> PlanDocument {
        try state.withLock { model in
            try model.throwIfFailing(.plan)
            return model.plan ?? model.defaultPlan()
        }
    }

    /// Answers with the model's `previewLeftovers`; with `apply`, removes them from the model.
    public func cleanupPreviewVariables(apply: Bool, by actor: String) async throws -> PreviewCleanup {
        try state.withLock { model in
            model.calls.append(.cleanupPreview(apply: apply, by: actor))
            try model.throwIfFailing(.cleanupPreview)
            let found = model.previewLeftovers
            if apply { model.previewLeftovers = [] }
            return PreviewCleanup(revision: model.state.knownGood?.revision, found: found, removed: apply ? found : [], applied: apply)
        }
    }

    // MARK: - Test controls

    /// Every call that reached the control so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// The current status version.
    public var version: UInt64 { state.withLock { $0.version } }

    /// Makes every later call of `operation` throw `error` (nil: succeed again).
    public func fail(_ operation: Operation, with error: (any Error)?) {
        state.withLock { $0.failures[operation] = error }
    }

    /// Changes the model (drift, services, readiness, ...) and bumps the status version.
    public func update(_ change: (inout Model) -> Void) {
        state.withLock { model in
            change(&model)
            model.changed()
        }
    }
}
