import ClipnetContracts
import Foundation
import KnownGoodStore

/// R becomes known-good, with the deployment ids that served it: the record a later rollback
/// re-points the platforms at. When the repository can say when R was authored, the history
/// entry keeps it: where the change's lead time starts (delivery metrics). A repository that
/// cannot answer costs the lead time of this one change, never the record.
struct MarkKnownGoodPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let commitAt: Date? =
            if let id = CommitID(rollout.revision) { try? await environment.dependencies.repository.commitTime(id) } else { nil }
        environment.note("markKnownGood", nil, "\(CommitID.short(rollout.revision)) is known-good")
        return .event(.recordKnownGood(commitAt: commitAt))
    }
}
