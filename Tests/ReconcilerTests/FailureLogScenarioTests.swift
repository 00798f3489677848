import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// A failed build's own words reach the status document and the page, scrubbed: the on-call
/// engineer reads "error: …" instead of "ended FAILED", and no secret rides along.
@Suite struct FailureLogScenarioTests {
    /// A secret value the manifest gives the services: what a careless build script might echo.
    static func canary(_ world: Scenario) throws -> String {
        let names = world.sandbox.manifest.secretReferences.map(\.reference.name)
        let value = names.compactMap { world.sandbox.environment[$0] }.first { $0.count >= 12 }
        return try #require(value, "the sandbox has no secret long enough to be a canary")
    }

    @Test func aFailedRailwayBuildKeepsItsLastLinesWithTheRolloutWithoutSecrets() async throws {
        try await Scenario.with { world in
            _ = try world.commit("Good")
            try await world.settle()
            let secret = try Self.canary(world)
            let bad = try world.commit("Breaks the API build")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.api.serviceId)
            world.sandbox.railway.setLogTail(
                revision: bad,
                ["Compiling ClipnetAPI", "echo DATABASE_URL=\(secret)", "error: cannot find 'Reqest' in scope", "error: build failed (exit code 1)"])
            try await world.settle()
            let rollout = try #require(world.state()?.rollout)
            #expect(rollout.phase == "rolledBack")
            let log = try #require(rollout.failureLogs?.first)
            #expect(log.service == .api)
            #expect(log.status == "FAILED")
            #expect(log.lines.suffix(2) == ["error: cannot find 'Reqest' in scope", "error: build failed (exit code 1)"])
            #expect(log.link?.hasPrefix("https://railway.com/project/") == true)
            let text = log.lines.joined(separator: "\n")
            #expect(!text.contains(secret), "a secret reached the status document")
            #expect(text.contains("echo DATABASE_URL=<redacted>"))
            // The record itself holds the scrubbed lines only.
            let stored = try await world.record()
            #expect(!(stored.failureLogs ?? []).flatMap(\.lines).joined().contains(secret))
            // The delivery figures count it: a change failure, restored by the rollback, after the
            // one good rollout ("Good", the branch head when the daemon first looked), whose lead
            // time comes from git.
            let week = try #require(world.state()?.delivery?.windows.first)
            #expect(week.days == 7)
            #expect(week.deployments == 1)
            #expect(week.failedRollouts == 1)
            #expect(week.changeFailureRate == 0.5)
            #expect(week.restores == 1)
            #expect(week.leadTimeSeconds.map { $0 >= 0 && $0 < 3600 } == true, "\(week)")
        }
    }

    @Test func aFailedVercelBuildKeepsItsLastLinesWithTheRollout() async throws {
        try await Scenario.with { world in
            _ = try world.commit("Good")
            try await world.settle()
            let bad = try world.commit("Breaks the frontend build")
            world.sandbox.vercel.failBuild(sha: bad)
            world.sandbox.vercel.setLogTail(
                sha: bad, ["Type error: Property 'clip' does not exist on type 'Props'.", "Error: Command \"npm run build\" exited with 1"])
            try await world.settle()
            let log = try #require(world.state()?.rollout?.failureLogs?.first)
            #expect(log.service == .frontend)
            #expect(log.status == "ERROR")
            #expect(log.lines.last == "Error: Command \"npm run build\" exited with 1")
            #expect(log.lines.contains("Type error: Property 'clip' does not exist on type 'Props'."))
            #expect(log.link?.hasPrefix("https://vercel.com/") == true)
        }
    }
}
