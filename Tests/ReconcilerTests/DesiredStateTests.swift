import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import Testing

/// `DesiredState.startsRollout`: the pass skips its observation exactly when the rollout machine
/// will start a rollout, never when the environment stays where it is.
@Suite struct DesiredStateTests {
    static let settled = String(repeating: "1", count: 40)
    static let head = String(repeating: "2", count: 40)

    static func state(_ phase: RolloutPhase, revision: String = settled) -> EnvironmentState {
        var state = EnvironmentState()
        state.rollout = RolloutRecord(id: "ro-1", revision: revision, phase: phase, startedAt: Date(), updatedAt: Date())
        return state
    }

    @Test func aNewHeadOnASettledEnvironmentStartsARollout() {
        let state = Self.state(.succeeded)
        #expect(DesiredState.resolve(state, head: Self.head, branch: "develop").startsRollout(from: state))
        #expect(DesiredState.resolve(EnvironmentState(), head: Self.head, branch: "develop").startsRollout(from: EnvironmentState()))
    }

    @Test func theSettledHeadAFailedHeadOrARolloutInFlightStartNothing() {
        let settled = Self.state(.succeeded)
        #expect(!DesiredState.resolve(settled, head: Self.settled, branch: "develop").startsRollout(from: settled))
        var failed = Self.state(.succeeded)
        failed.recordFailure(FailedRevision(revision: Self.head, at: Date(), reason: "build failed", phase: .deployBackend))
        #expect(!DesiredState.resolve(failed, head: Self.head, branch: "develop").startsRollout(from: failed))
        // A newer head waits for the rollout in flight: nothing starts in this pass.
        let inFlight = Self.state(.deployBackend, revision: Self.settled)
        #expect(!DesiredState.resolve(inFlight, head: Self.head, branch: "develop").startsRollout(from: inFlight))
    }

    @Test func aPinOfAnotherRevisionSupersedesAndStartsARollout() {
        var state = Self.state(.deployBackend, revision: Self.settled)
        state.pin = PinRecord(revision: Self.head, reason: "hold", by: "alice", at: Date())
        #expect(DesiredState.resolve(state, head: Self.settled, branch: "develop").startsRollout(from: state))
    }
}
