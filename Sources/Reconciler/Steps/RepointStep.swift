import Deployers
import Foundation
import KnownGoodStore

/// A re-point rollout (a pin or rollback to a known-good record): every platform serves the
/// record's deployments again, with the record's variables, and nothing is built.
struct RepointStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "repoint" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .repointing,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        let repointer = Repointer(dependencies: dependencies, platforms: platforms)
        var done: [String] = []
        do {
            for service in [ServiceName.api, .worker, .frontend] {
                guard let deployment = rollout.deployments[service] else {
                    done.append("\(service): no recorded deployment, left as it is")
                    continue
                }
                let variables = DesiredVariables.of(service, preflight: preflight, revision: rollout.revision)
                done.append(try await repointer.repoint(service, to: deployment, revision: rollout.revision, variables: variables))
            }
        } catch {
            if (error as? DeployerError)?.isTransient == false { ReconcilerMetrics.rollback("failed") }
            return try await progress.handle(error, &context, during: "re-pointing to \(short(rollout.revision))")
        }
        let now = Date()
        let revision = rollout.revision
        let entry = HistoryEntry(at: now, kind: .repointed, revision: revision, by: "reconciler", rolloutID: rollout.id, detail: done.joined(separator: "; "))
        try await progress.advance(&context, to: .succeeded, history: [entry]) { _, state in
            if state.knownGood?.revision != revision, state.moveKnownGoodBack(to: revision) == nil,
               let record = state.knownGoodRecord(for: revision) {
                state.recordKnownGood(record)
            }
        }
        ReconcilerMetrics.rollback("succeeded")
        for line in done { context.did("repoint", nil, line) }
        return .done(reason: "re-pointed to known-good \(short(revision)) without a build")
    }
}
