import ClipnetContracts
import Foundation
import GitWatch
import KnownGoodStore
import Reconciler
import ReconcilerClient
import Testing

/// `--wait` judges only what a pass produced after the request.
@Suite struct SettleJudgementTests {
    private func document(blockedBy: String?, passGeneration: Int64?, stateGeneration: Int64) -> StatusDocument {
        var state = EnvironmentState()
        state.generation = stateGeneration
        let pass = PassReport(result: .succeeded, step: nil, message: nil, reason: nil, startedAt: Date(), duration: .zero, steps: [])
        var document = StatusDocument(
            environment: "staging", state: state, watch: WatchStatus(branch: "develop"), lastPass: pass, services: [], drift: [],
            policies: [:], leader: true, lastPassGeneration: passGeneration)
        document.blockedBy = blockedBy
        return document
    }

    @Test func aBlockLeftFromBeforeTheRequestIsNotItsOutcome() {
        let stale = document(blockedBy: "abc failed: build error", passGeneration: 4, stateGeneration: 5)
        #expect(SettleJudgement.judge(stale, after: 5) == .pending)
    }

    @Test func aBlockFromAPassAfterTheRequestFailsTheWait() {
        let fresh = document(blockedBy: "abc failed: build error", passGeneration: 5, stateGeneration: 6)
        #expect(SettleJudgement.judge(fresh, after: 5) == .failed("abc failed: build error"))
    }
}
