import ClipnetConfig
import Deployers
import Foundation
import KnownGoodStore

/// After a failed rollout: back to the known-good record the rollout started from, by
/// re-pointing each platform at the recorded deployments (Vercel alias; Railway rollback, then
/// the record's variables re-applied without a deploy). Unfinished builds of the failed rollout
/// are cancelled first so none goes live later. A retryable error keeps the rollout rolling back
/// on the next pass; a refusal (e.g. Railway no longer keeps the image) needs a person.
struct RollbackStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "rollback" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .rollingBack, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        guard let target = rollout.rollbackTarget else {
            try await progress.advance(&context, to: .failed)
            return .done(reason: "nothing to roll back to")
        }
        await progress.cancelUnfinished(rollout, platforms)
        let targetPreflight = try? await PreflightStep.preflight(at: target.revision, dependencies)
        let repointer = Repointer(dependencies: dependencies, platforms: platforms)
        var done: [String] = []
        do {
            for service in [ServiceName.api, .worker, .frontend] {
                guard let deployment = target.deployments[service] else {
                    done.append("\(service): no recorded deployment, left as it is")
                    continue
                }
                let variables = targetPreflight.map { DesiredVariables.of(service, preflight: $0, revision: target.revision) } ?? []
                done.append(try await repointer.repoint(service, to: deployment, revision: target.revision, variables: variables))
            }
        } catch let error as DeployerError where !error.isTransient {
            ReconcilerMetrics.rollback("failed")
            let reason = "rollback to \(short(target.revision)) failed: \(error.message); the environment needs a person"
            let entry = HistoryEntry(at: Date(), kind: .rolloutFailed, revision: rollout.revision, by: "reconciler", reason: reason, rolloutID: rollout.id)
            try await progress.advance(&context, to: .failed, history: [entry]) { record, _ in
                record.error = [record.error, reason].compactMap { $0 }.joined(separator: "; ")
            }
            throw ReconcileError.stalled(.rollbackFailed, reason)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ReconcileError.transient(.platformUnavailable, "rolling back to \(short(target.revision)): \(RolloutProgress.message(error)); retrying")
        }
        if targetPreflight == nil { done.append("variables not re-applied: the manifest at \(short(target.revision)) could not be checked") }
        let entry = HistoryEntry(
            at: Date(), kind: .rolledBack, revision: target.revision, by: "reconciler", reason: rollout.error,
            rolloutID: rollout.id, detail: "from \(rollout.revision): " + done.joined(separator: "; "))
        try await progress.advance(&context, to: .rolledBack, history: [entry])
        ReconcilerMetrics.rollback("succeeded")
        ReconcilerMetrics.rollout("rolled_back")
        dependencies.logger.warning("Rolled back to the known-good revision", metadata: [
            "rollout.id": "\(rollout.id)", "revision": "\(target.revision)", "rollout.failed": "\(rollout.revision)",
        ])
        for line in done { context.did("rollback", nil, line) }
        return .done(reason: "\(short(rollout.revision)) failed and was rolled back to \(short(target.revision))")
    }
}
