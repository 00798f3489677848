import Foundation
import Reconciler
import Testing

/// `/readyz`: ready only once the branch was fetched, with the store writable and the last pass
/// not stalled on the leader.
@Suite struct ReadinessRuleTests {
    @Test func notReadyBeforeTheFirstFetchThenReady() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            let before = await world.daemon.readiness()
            #expect(!before.ready)
            #expect(before.checks.first { $0.name == "git" }?.ok == false)
            #expect(before.checks.first { $0.name == "git" }?.detail.contains("not been fetched") == true)
            await world.daemon.fetch()
            let after = await world.daemon.readiness()
            #expect(after.ready, "\(after.checks)")
        }
    }

    @Test func aStalledPassMakesTheLeaderNotReady() async throws {
        try await Scenario.with { world in
            // A manifest that refers to a secret nobody set stalls the pass: a person must act.
            try world.commit("Broken", files: ["deploy/staging.yaml": try String(contentsOfFile: Scenario.manifests + "/staging.yaml", encoding: .utf8)
                .replacingOccurrences(of: "{secret: STAGING_NEXTAUTH_SECRET}", with: "{secret: NOBODY_SET_THIS}")])
            let report = try await world.settle()
            #expect(report.result == .stalled)
            let readiness = await world.daemon.readiness()
            #expect(!readiness.ready)
            #expect(readiness.checks.first { $0.name == "reconcile" }?.detail.contains("stalled") == true)
            // The page's badge and the CLI's first line say the same: blocked.
            let document = try #require(world.state())
            #expect(StatusVerdict(document).kind == .blocked(document.blockedBy ?? ""), "\(StatusVerdict(document).kind)")
        }
    }

    @Test func aMissingPlatformTokenIsNamedAtStartAndMakesTheDaemonNotReady() async throws {
        let scenario = try await Scenario.start(extraEnvironment: ["VERCEL_TOKEN": ""])
        await scenario.daemon.fetch()
        let readiness = await scenario.daemon.readiness()
        await scenario.stop()
        #expect(!readiness.ready)
        let credentials = try #require(readiness.checks.first { $0.name == "credentials" })
        #expect(!credentials.ok)
        #expect(credentials.detail.contains("VERCEL_TOKEN (Vercel)"))
        #expect(!credentials.detail.contains("RAILWAY_TOKEN"))
    }
}
