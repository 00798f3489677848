import ClipnetContracts
import KnownGoodStore

/// R becomes known-good, with the deployment ids that served it: the record a later rollback
/// re-points the platforms at.
struct MarkKnownGoodPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        environment.note("markKnownGood", nil, "\(CommitID.short(rollout.revision)) is known-good")
        return .event(.recordKnownGood)
    }
}
