import ClipnetConfig
import ClipnetContracts
import Foundation
import Reconciler
import StagingSandbox
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
            try world.commit(
                "Broken",
                files: [
                    "deploy/staging.yaml": try String(contentsOfFile: Scenario.manifests + "/staging.yaml", encoding: .utf8)
                        .replacingOccurrences(of: "{secret: STAGING_NEXTAUTH_SECRET}", with: "{secret: NOBODY_SET_THIS}")
                ])
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
        #expect(credentials.detail.contains("vercel: VERCEL_TOKEN is not set"), "\(credentials.detail)")
        #expect(!credentials.detail.contains("RAILWAY_TOKEN"))
    }

    @Test func aRefusedPlatformTokenBlocksWithTheVariablesNameBeforeAnyRollout() async throws {
        let canary = "railway-wrong-token-canary-0c1d"
        try await Scenario.with(extraEnvironment: ["RAILWAY_TOKEN": canary]) { world in
            let revision = try world.commit("First")
            let report = try await world.settle()
            #expect(report.result == .stalled, "\(report)")
            #expect(report.message?.hasPrefix("Railway refused the token in RAILWAY_TOKEN") == true, "\(report)")

            let document = try #require(world.state())
            let access = try #require(document.platformAccess)
            #expect(access.first { $0.platform == .railway }?.state == .refused)
            #expect(access.first { $0.platform == .vercel }?.state == .verified)
            #expect(StatusVerdict(document).kind == .blocked(document.blockedBy ?? ""), "\(StatusVerdict(document).kind)")
            #expect(document.rollout == nil, "nothing was deployed with a refused token")
            #expect(world.sandbox.railwayDeploys(of: world.sandbox.manifest.railway.services.api.serviceId, revision: revision) == 0)

            let readiness = await world.daemon.readiness()
            #expect(readiness.checks.first { $0.name == "credentials" }?.ok == false)
            let text = String(decoding: try StatusDocument.encoder().encode(document), as: UTF8.self)
            #expect(!text.contains(canary), "the token never appears in status")
        }
    }

    @Test func acceptedTokensAreShownAsVerifiedInStatusAndReadiness() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            _ = try await world.settle()
            _ = try await world.settle()
            let access = try #require(world.state()?.platformAccess)
            #expect(access.map(\.state) == [.verified, .verified], "\(access)")
            let readiness = await world.daemon.readiness()
            #expect(readiness.checks.first { $0.name == "credentials" }?.detail == "every platform accepted its token")
        }
    }
}
