import ClipnetContracts
import DriftDetector
import Foundation
import GitWatch
import KnownGoodStore
import Reconciler
import Testing

@Suite struct StatusDocumentTests {
    let head = CommitID(String(repeating: "b", count: 40))!
    let good = String(repeating: "a", count: 40)
    let at = Date(timeIntervalSince1970: 1_764_043_200.25)

    private func state(pinned: Bool) -> EnvironmentState {
        var state = EnvironmentState()
        state.recordKnownGood(KnownGoodRecord(revision: good, at: at, deployments: .init(frontend: "dpl_1", api: "api-1", worker: "wrk-1")))
        if pinned { state.pin = PinRecord(revision: good, reason: "rollback: broken checkout", by: "alice", at: at) }
        state.rollout = RolloutRecord(
            id: "r-7", revision: head.hex, phase: .deployBackend, startedAt: at, updatedAt: at, deployments: .init(api: "api-2"))
        state.recordFailure(FailedRevision(revision: head.hex, at: at, reason: "worker build failed", phase: .deployBackend))
        return state
    }

    private var watch: WatchStatus {
        var watch = WatchStatus(branch: "develop")
        watch.head = head
        watch.lastSuccessAt = at
        return watch
    }

    @Test func theDesiredRevisionIsTheBranchHeadUnlessPinned() {
        let following = StatusDocument(
            environment: "staging", state: state(pinned: false), watch: watch, lastPass: nil, services: [], drift: [], policies: [:], leader: true)
        #expect(following.desired.revision == head.hex)
        #expect(following.desired.source == .branch)
        #expect(following.desired.failed?.reason == "worker build failed")

        let pinned = StatusDocument(
            environment: "staging", state: state(pinned: true), watch: watch, lastPass: nil, services: [], drift: [], policies: [:], leader: true)
        #expect(pinned.desired.revision == good)
        #expect(pinned.desired.source == .pin)
        #expect(pinned.desired.pin?.by == "alice")
        #expect(pinned.desired.failed == nil)
    }

    @Test func theJSONHasTheDesignFieldsFullRevisionsAndUTCTimes() throws {
        let pass = PassReport(result: .succeeded, step: nil, message: nil, reason: nil, startedAt: at, duration: .milliseconds(12), steps: [])
        let document = StatusDocument(
            environment: "staging", state: state(pinned: true), watch: watch, lastPass: pass,
            services: [
                .init(
                    name: "api", platform: "railway", revision: good, deploymentId: "api-1", status: "SUCCESS", healthy: true,
                    revisionSource: "version endpoint")
            ],
            drift: [Drift(kind: .alias, service: "frontend", detail: "staging.clipnet.ai points at dpl_x, desired dpl_1")],
            policies: [.alias: .heal], leader: true)
        let data = try StatusDocument.encoder().encode(document)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

        for key in ["environment", "branch", "desired", "knownGood", "services", "drift", "rollout", "lastReconcile"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let desired = try #require(json["desired"] as? [String: Any])
        #expect(desired["revision"] as? String == good)
        #expect(desired["source"] as? String == "pin")
        let knownGood = try #require(json["knownGood"] as? [String: Any])
        #expect((knownGood["deployments"] as? [String: Any])?["frontend"] as? String == "dpl_1")
        #expect(knownGood["at"] as? String == "2025-11-25T04:00:00.250Z")
        let last = try #require(json["lastReconcile"] as? [String: Any])
        #expect(last["result"] as? String == "succeeded")
        #expect(last["durationMs"] as? Double == 12)
        let drift = try #require((json["drift"] as? [[String: Any]])?.first)
        #expect(drift["kind"] as? String == "alias")
        #expect(drift["policy"] as? String == "heal")
        let rollout = try #require(json["rollout"] as? [String: Any])
        #expect(rollout["phase"] as? String == "deployBackend")
        #expect((rollout["revision"] as? String)?.count == 40)

        #expect(try StatusDocument.decoder().decode(StatusDocument.self, from: data) == document)
    }

    @Test func aFreshEnvironmentHasNoKnownGoodAndNoRollout() throws {
        var watch = WatchStatus(branch: "develop")
        watch.lastError = "git network in git_remote_fetch: failed to connect"
        let document = StatusDocument(
            environment: "staging", state: EnvironmentState(), watch: watch, lastPass: nil, services: [], drift: [], policies: [:], leader: false)
        #expect(document.knownGood == nil)
        #expect(document.rollout == nil)
        #expect(document.desired.revision == nil)
        #expect(document.git.lastError?.contains("failed to connect") == true)
        #expect(document.leader == false)
    }
}
