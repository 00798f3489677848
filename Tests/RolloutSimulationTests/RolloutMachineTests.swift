import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import RolloutSimulation
import Testing

@Suite struct RolloutMachineTests {
    private func started(at phase: RolloutPhase) -> EnvironmentState {
        var state = EnvironmentState()
        state.rollout = RolloutRecord(
            id: "ro-1", revision: String(repeating: "a", count: 40), phase: phase, startedAt: Date(), updatedAt: Date(), mode: .build)
        return state
    }

    @Test func anEventTheTableDoesNotAllowFailsLoudlyNamingThePhase() {
        var state = started(at: .syncVariables)
        let before = state
        #expect {
            try RolloutMachine.apply(
                .backendReady(platformSteps: []), to: &state, expecting: .init(rolloutID: "ro-1", phase: .syncVariables), now: Date())
        } throws: { error in
            let error = error as? RolloutMachineError
            return error?.code == .illegalTransition && error?.message.contains("syncVariables") == true
        }
        #expect(state == before)
    }

    @Test func anEventForARolloutThatMovedOnIsStaleAndChangesNothing() {
        var state = started(at: .deployBackend)
        let before = state
        #expect(throws: RolloutMachineError.self) {
            try RolloutMachine.apply(.variablesSynced, to: &state, expecting: .init(rolloutID: "ro-1", phase: .syncVariables), now: Date())
        }
        #expect(state == before)
    }

    @Test func aDeploymentIdOnceRecordedIsNeverReplaced() throws {
        var state = started(at: .deployBackend)
        let expectation = RolloutMachine.Expectation(rolloutID: "ro-1", phase: .deployBackend)
        _ = try RolloutMachine.apply(.deploymentCreated(.api, "dep_1"), to: &state, expecting: expectation, now: Date())
        #expect(throws: RolloutMachineError.self) {
            try RolloutMachine.apply(.deploymentCreated(.api, "dep_2"), to: &state, expecting: expectation, now: Date())
        }
        #expect(state.rollout?.deployments.api == "dep_1")
    }

    @Test func everyPhaseChangeClosesOneSpanAndOpensTheNextOnTheTimeline() throws {
        var state = EnvironmentState()
        let t0 = Date(timeIntervalSince1970: 1_765_000_000)
        let revision = String(repeating: "b", count: 40)
        _ = try RolloutMachine.apply(
            .start(
                RolloutStart(
                    id: "ro-1", revision: revision, mode: .build, deployments: ServiceDeployments(), rollbackTarget: nil, trigger: .push,
                    pinAtDecision: nil, source: "branch develop")), to: &state, expecting: nil, now: t0)
        var now = t0
        for event in [RolloutEvent.variablesSynced, .deploymentCreated(.api, "dep_1"), .backendReady(platformSteps: [])] {
            now += 7
            let before = try #require(state.rollout)
            _ = try RolloutMachine.apply(event, to: &state, expecting: .init(before), now: now)
        }
        let timeline = try #require(state.rollout?.timeline)
        #expect(timeline.map(\.phase) == [.syncVariables, .deployBackend, .verifyBackend])
        #expect(timeline.map(\.startedAt) == [t0, t0 + 7, t0 + 21])
        // An event that keeps the phase (a deployment id) does not end it.
        #expect(timeline.map(\.endedAt) == [t0 + 7, t0 + 21, nil])
        #expect(timeline[1].seconds == 14)
        #expect(Simulation.timelineProblem(try #require(state.rollout)) == nil)

        let before = try #require(state.rollout)
        let entries = try RolloutMachine.apply(
            .failed(reason: "the API reported another revision"), to: &state, expecting: .init(before), now: now + 3)
        let ended = try #require(state.rollout?.timeline)
        // The entry that ends the rollout keeps the timeline for `history --rollout`.
        #expect(entries.map(\.kind) == [.rolloutFailed])
        #expect(entries.first?.timeline == ended)
        #expect(ended.count == 4)
        #expect(ended[2].endedAt == now + 3)
        #expect(ended[3].phase == state.rollout?.phase)
        #expect(ended[3].endedAt == now + 3)
    }

    @Test func theDocumentedTableIsTheMachinesTable() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/reconciler.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let table = RolloutMachine.markdownTable()
        let diagram = RolloutMachine.mermaidDiagram()
        if !text.contains(table) || !text.contains(diagram) {
            let expected = "<!-- rollout-machine:begin -->\n\(table)\n\n```mermaid\n\(diagram)\n```\n<!-- rollout-machine:end -->"
            try? expected.write(toFile: NSTemporaryDirectory() + "rollout-machine.md", atomically: true, encoding: .utf8)
            Issue.record(
                "docs/reconciler.md does not show the machine's table; the expected section is in \(NSTemporaryDirectory())rollout-machine.md")
        }
    }
}
