import Reconciler
import Testing

/// A step that appends its name to the context and then does what it was told.
private struct ScriptedStep: ReconcileStep {
    enum Action: Sendable {
        case proceed, done, requeue, stall, wait, transient, unexpected
    }

    struct Unexpected: Error {}

    let name: String
    let action: Action

    func run(_ context: inout [String]) async throws -> StepOutcome {
        context.append(name)
        switch action {
        case .proceed: return .proceed
        case .done: return .done(reason: "already at the desired revision")
        case .requeue: return .requeue(after: .seconds(5), reason: "build running")
        case .stall: throw ReconcileError.stalled(.invalidManifest, "deploy/staging.yaml:3:1: unknown key")
        case .wait: throw ReconcileError.waiting(.rateLimited, retryAfter: .seconds(30), "429 from Railway")
        case .transient: throw ReconcileError.transient(.platformUnavailable, "Vercel answered 503")
        case .unexpected: throw Unexpected()
        }
    }
}

@Suite struct StepRunnerTests {
    private func run(_ actions: [ScriptedStep.Action]) async -> (PassReport, [String]) {
        let steps = actions.enumerated().map { ScriptedStep(name: "step\($0.offset)", action: $0.element) }
        var context: [String] = []
        let report = await StepRunner(steps: steps).run(&context)
        return (report, context)
    }

    @Test func stepsRunInOrderAndAPassThatCompletesSucceeds() async {
        let (report, ran) = await run([.proceed, .proceed, .proceed])
        #expect(ran == ["step0", "step1", "step2"])
        #expect(report.result == .succeeded)
        #expect(report.step == nil)
        #expect(report.steps.map(\.name) == ran)
    }

    @Test func doneEndsThePassEarlyAsASuccess() async {
        let (report, ran) = await run([.proceed, .done, .proceed])
        #expect(ran == ["step0", "step1"])
        #expect(report.result == .succeeded)
        #expect(report.step == "step1")
        #expect(report.message == "already at the desired revision")
    }

    @Test func requeueEndsThePassWithTheDelay() async {
        let (report, ran) = await run([.requeue, .proceed])
        #expect(ran == ["step0"])
        #expect(report.result == .requeued(after: .seconds(5)))
    }

    @Test func errorsAreTypedByWhatTheyNeed() async {
        let stalled = await run([.proceed, .stall, .proceed]).0
        #expect(stalled.result == .stalled)
        #expect(stalled.step == "step1")
        #expect(stalled.reason == .invalidManifest)
        #expect(stalled.message?.contains("deploy/staging.yaml:3:1") == true)

        let waiting = await run([.wait]).0
        #expect(waiting.result == .waiting(retryAfter: .seconds(30)))
        #expect(waiting.reason == .rateLimited)

        let transient = await run([.transient]).0
        #expect(transient.result == .failed)
        #expect(transient.reason == .platformUnavailable)

        let unexpected = await run([.proceed, .unexpected]).0
        #expect(unexpected.result == .failed)
        #expect(unexpected.reason == .unexpected)
        #expect(unexpected.step == "step1")
    }

    @Test func everyExitPathRecordsTheStepsThatRan() async {
        for actions: [ScriptedStep.Action] in [[.proceed], [.proceed, .done], [.requeue], [.proceed, .stall], [.wait], [.transient], [.unexpected]] {
            let (report, ran) = await run(actions)
            #expect(report.steps.map(\.name) == ran, "\(actions)")
            #expect(report.duration >= .zero)
        }
    }
}
