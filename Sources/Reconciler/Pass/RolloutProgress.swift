import Deployers
import Foundation
import KnownGoodStore
import Logging

/// Persists the rollout in flight at every phase boundary and turns failures into the right next
/// phase: the rollback when there is a known-good record to go back to, `failed` otherwise.
///
/// Every write re-reads the record inside the store's atomic update and changes only the
/// rollout (and, when failing, the failed revisions), so an operator's pin or retry that lands
/// while a pass runs is never overwritten.
struct RolloutProgress: Sendable {
    let dependencies: ReconcilerDependencies

    var environment: String { dependencies.environment }
    var logger: Logger { dependencies.logger }

    /// Applies `change` to the rollout in flight and commits it with `history`.
    func update(
        _ context: inout PassContext, history: [HistoryEntry] = [],
        _ change: @escaping @Sendable (inout RolloutRecord, inout EnvironmentState) -> Void
    ) async throws {
        guard let id = context.state.rollout?.id else { return }
        let now = Date()
        context.state = try await StoreAccess.update(context.store, environment) { state in
            guard var rollout = state.rollout, rollout.id == id else {
                throw ReconcileError.transient(.unexpected, "rollout \(id) was replaced while this pass ran")
            }
            change(&rollout, &state)
            rollout.updatedAt = now
            state.rollout = rollout
            return history
        }
    }

    /// Moves the rollout to `phase`, resetting the per-phase counters.
    func advance(
        _ context: inout PassContext, to phase: RolloutPhase, history: [HistoryEntry] = [],
        _ change: @escaping @Sendable (inout RolloutRecord, inout EnvironmentState) -> Void = { _, _ in }
    ) async throws {
        let now = Date()
        let from = context.state.rollout?.phase
        try await update(&context, history: history) { rollout, state in
            change(&rollout, &state)
            rollout.phase = phase
            rollout.phaseStartedAt = now
            rollout.transientFailures = nil
            rollout.healthFailures = nil
        }
        if let rollout = context.state.rollout {
            logger.info("Rollout phase", metadata: [
                "rollout.id": "\(rollout.id)", "revision": "\(rollout.revision)",
                "rollout.phase": "\(phase.rawValue)", "rollout.from": "\(from?.rawValue ?? "-")",
            ])
        }
    }

    /// Fails the rollout in its current phase: records the revision as failed (not rolled out
    /// again until a new commit or a retry) and moves to `rollingBack`, or to `failed` when there
    /// is nothing to roll back to (a first rollout, or a re-point, which is itself a rollback).
    /// Returns `.proceed` so the rollback step runs in the same pass.
    func fail(_ context: inout PassContext, reason: String) async throws -> StepOutcome {
        guard let rollout = context.activeRollout else { return .proceed }
        let phase = rollout.phase
        let now = Date()
        let rollsBack = rollout.mode != .repoint && rollout.rollbackTarget != nil
        let next: RolloutPhase = rollsBack ? .rollingBack : .failed
        let detail = rollsBack
            ? "failed in \(phase.rawValue); rolling back to \(short(rollout.rollbackTarget!.revision))"
            : "failed in \(phase.rawValue); \(rollout.mode == .repoint ? "the re-point is left as it is" : "no known-good revision to roll back to, the environment is left as it is")"
        let entry = HistoryEntry(at: now, kind: .rolloutFailed, revision: rollout.revision, by: "reconciler", reason: reason, rolloutID: rollout.id, detail: detail)
        try await advance(&context, to: next, history: [entry]) { record, state in
            record.error = reason
            record.failedPhase = phase
            state.recordFailure(FailedRevision(revision: record.revision, at: now, reason: reason, phase: phase))
        }
        logger.error("Rollout failed", metadata: [
            "rollout.id": "\(rollout.id)", "revision": "\(rollout.revision)", "rollout.phase": "\(phase.rawValue)",
            "error": "\(reason)", "rollout.next": "\(next.rawValue)",
        ])
        if !rollsBack { ReconcilerMetrics.rollout("failed") }
        return .proceed
    }

    /// What a platform error during `action` means for the rollout: a rate limit waits; a
    /// retryable error is retried by the next pass until `transientFailureLimit` passes in a row
    /// failed; any other error fails the rollout now.
    func handle(_ error: any Error, _ context: inout PassContext, during action: String) async throws -> StepOutcome {
        switch error {
        case is CancellationError, is ReconcileError:
            throw error
        case let error as DeployerError where error.code == .rateLimited:
            throw ReconcileError.waiting(.rateLimited, retryAfter: dependencies.settings.rolloutPollInterval, "\(action): \(error.message)")
        case let error as DeployerError where !error.isTransient:
            return try await fail(&context, reason: "\(action): \(error.message)")
        default:
            let failures = (context.activeRollout?.transientFailures ?? 0) + 1
            let limit = dependencies.settings.transientFailureLimit
            if failures >= limit {
                return try await fail(&context, reason: "\(action) failed \(failures) times in a row; last error: \(Self.message(error))")
            }
            try await update(&context) { rollout, _ in rollout.transientFailures = failures }
            throw ReconcileError.transient(.platformUnavailable, "\(action): \(Self.message(error)) (attempt \(failures) of \(limit))")
        }
    }

    /// Cancels the deployments of `rollout` that are still building or starting (best effort), so
    /// a build of a failed or superseded rollout cannot go live later.
    func cancelUnfinished(_ rollout: RolloutRecord, _ platforms: Platforms) async {
        for service in ServiceName.allCases {
            guard let id = rollout.deployments[service] else { continue }
            let deployer = platforms.deployer(for: service)
            do {
                let current = try await deployer.deployment(DeploymentID(id), of: service)
                if !current.status.isTerminal { _ = try await deployer.cancel(DeploymentID(id), of: service) }
            } catch {
                logger.warning("Could not cancel an unfinished deployment", metadata: [
                    "rollout.id": "\(rollout.id)", "service": "\(service)", "deployment": "\(id)", "error": "\(error)",
                ])
            }
        }
    }

    static func message(_ error: any Error) -> String {
        (error as? DeployerError)?.message ?? "\(error)"
    }
}

extension DeployerError {
    /// Whether a later pass may succeed where this call failed: the call's own retries being
    /// exhausted on 5xx or network errors means the platform is unwell now, not that the request
    /// is wrong.
    var isTransient: Bool {
        isRetryable || [.retriesExhausted, .serverError, .transport, .rateLimited, .deadlineExceeded].contains(code)
    }
}
