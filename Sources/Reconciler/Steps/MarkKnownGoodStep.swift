import Foundation
import KnownGoodStore

/// Rollout step 7: R becomes known-good, with the deployment ids that served it: the record a
/// later rollback re-points the platforms at.
struct MarkKnownGoodStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "markKnownGood" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .markKnownGood else { return .proceed }
        let now = Date()
        let record = KnownGoodRecord(revision: rollout.revision, at: now, deployments: rollout.deployments)
        let entry = HistoryEntry(
            at: now, kind: .knownGood, revision: rollout.revision, by: "reconciler", rolloutID: rollout.id, detail: record.deployments.summary)
        try await RolloutProgress(dependencies: dependencies).advance(&context, to: .succeeded, history: [entry]) { _, state in
            state.recordKnownGood(record)
        }
        ReconcilerMetrics.rollout("succeeded")
        dependencies.logger.info("Rollout succeeded; revision is known-good", metadata: [
            "rollout.id": "\(rollout.id)", "revision": "\(rollout.revision)", "deployments": "\(record.deployments.summary)",
        ])
        context.did("markKnownGood", nil, "\(short(rollout.revision)) is known-good")
        return .done(reason: "\(short(rollout.revision)) rolled out and marked known-good")
    }
}
