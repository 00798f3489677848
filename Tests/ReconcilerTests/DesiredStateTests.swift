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

    static let requested = String(repeating: "3", count: 40)

    static func request(_ revision: String = requested, deployment: Int64 = 7) -> DeploymentRequest {
        DeploymentRequest(revision: revision, deployment: deployment, by: "github:alice", ref: "feature/x", at: Date())
    }

    @Test func aDeploymentRequestOutranksTheFollowedRevisionAndAPinOutranksTheRequest() {
        var state = Self.state(.succeeded)
        state.request = Self.request()
        let requested = DesiredState.resolve(state, head: Self.head, branch: "develop")
        #expect(requested.desired == Self.requested && requested.startsRollout(from: state))
        state.pin = PinRecord(revision: Self.settled, reason: "hold", by: "bob", at: Date())
        let pinned = DesiredState.resolve(state, head: Self.head, branch: "develop")
        #expect(pinned.desired == Self.settled && !pinned.startsRollout(from: state))
    }

    @Test func aDeploymentRequestSupersedesTheRolloutInFlightAsAPinDoes() {
        var state = Self.state(.deployBackend, revision: Self.head)
        state.request = Self.request()
        let desired = DesiredState.resolve(state, head: Self.head, branch: "develop")
        #expect(desired.supersedes && desired.target == Self.requested)
        // Under a pin the request waits like the branch does.
        state.pin = PinRecord(revision: Self.head, reason: "hold", by: "bob", at: Date())
        #expect(!DesiredState.resolve(state, head: Self.head, branch: "develop").supersedes)
    }

    @Test func askingForABuildAgainClearsItsFailedMarkAndTheSameDeploymentTwiceChangesNothing() throws {
        var state = Self.state(.succeeded)
        state.recordFailure(FailedRevision(revision: Self.requested, at: Date(), reason: "health gate", phase: .healthGate))
        let first = try RolloutMachine.apply(.request(Self.request()), to: &state, now: Date())
        #expect(state.request?.deployment == 7 && state.failure(for: Self.requested) == nil)
        #expect(first.history.map(\.kind) == [.requested] && first.history.first?.by == "github:alice")
        state.recordFailure(FailedRevision(revision: Self.requested, at: Date(), reason: "failed again", phase: .healthGate))
        let again = try RolloutMachine.apply(.request(Self.request()), to: &state, now: Date())
        #expect(again.history.isEmpty, "a redelivered webhook")
        #expect(state.failure(for: Self.requested) != nil, "a redelivery is not a new ask: the failure stands")
        // A newer request replaces it; unmark clears it once.
        _ = try RolloutMachine.apply(.request(Self.request(Self.head, deployment: 8)), to: &state, now: Date())
        #expect(state.request?.revision == Self.head)
        let cleared = try RolloutMachine.apply(.unmark(by: "carol", reason: "done"), to: &state, now: Date())
        #expect(state.request == nil && cleared.history.map(\.kind) == [.unmarked])
        #expect(try RolloutMachine.apply(.unmark(by: "carol", reason: nil), to: &state, now: Date()).history.isEmpty)
    }

    @Test func aRolloutStartedForTheRequestCarriesItAndARequestChangedAfterTheDecisionIsStale() throws {
        var state = EnvironmentState()
        let request = Self.request()
        state.request = request
        var start = RolloutStart(
            id: "ro-2", revision: Self.requested, mode: .build, deployments: ServiceDeployments(), rollbackTarget: nil, trigger: .request,
            pinAtDecision: nil, source: "GitHub deployment 7 by github:alice")
        start.requestAtDecision = request
        var changed = state
        changed.request = Self.request(Self.head, deployment: 9)
        #expect(throws: RolloutMachineError.self) { try RolloutMachine.apply(.start(start), to: &changed, expecting: nil, now: Date()) }
        _ = try RolloutMachine.apply(.start(start), to: &state, expecting: nil, now: Date())
        #expect(state.rollout?.request?.deployment == 7 && state.rollout?.trigger == .request)
    }

    @Test func aRequestedBuildThatFailedSaysUnmarkNotANewCommitMovesOn() throws {
        var state = Self.state(.succeeded)
        _ = try RolloutMachine.apply(.request(Self.request()), to: &state, now: Date())
        state.recordFailure(FailedRevision(revision: Self.requested, at: Date(), reason: "health gate", phase: .healthGate))
        let desired = DesiredState.resolve(state, head: Self.head, branch: "develop")
        #expect(
            desired.target == Self.settled && desired.blockedBy?.contains("`reconciler unmark`") == true, "\(String(describing: desired.blockedBy))")
        #expect(desired.blockedBy?.contains("a new commit") == false)
        state.request = nil
        state.recordFailure(FailedRevision(revision: Self.head, at: Date(), reason: "build", phase: .deployBackend))
        #expect(DesiredState.resolve(state, head: Self.head, branch: "develop").blockedBy?.contains("a new commit arrives") == true)
    }
}
