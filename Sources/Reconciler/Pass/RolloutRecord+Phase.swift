import Foundation
import KnownGoodStore

extension RolloutRecord {
    /// How long the rollout has been in its current phase: the clock of the phase's deadline
    /// (deploy timeout, verification timeout, health window).
    var timeInPhase: Duration {
        guard let phaseStartedAt else { return .zero }
        return .milliseconds(Int64(Date().timeIntervalSince(phaseStartedAt) * 1000))
    }
}
