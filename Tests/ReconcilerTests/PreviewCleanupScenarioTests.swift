import ClipnetConfig
import ClipnetContracts
import Foundation
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// The one-off clean-up of the staging variables an earlier version wrote to Vercel's `preview`
/// target: the plan shows them, a dry run lists them, `apply` removes exactly those.
@Suite struct PreviewCleanupScenarioTests {
    @Test func thePlanShowsTheLeftoversAndTheCleanUpRemovesOnlyThose() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let project = world.sandbox.manifest.frontend.projectId
            let vercel = world.sandbox.vercel
            // What an earlier version wrote: a declared value, a declared secret, a marked one.
            vercel.setEnv(project: project, key: "NEXTAUTH_URL", value: "https://staging.clipnet.ai", type: "plain", target: ["preview"])
            vercel.setEnv(project: project, key: "NEXTAUTH_SECRET", value: "old-secret", type: "sensitive", target: ["preview"])
            vercel.setEnv(
                project: project, key: "LEGACY_FLAG", value: "1", type: "plain", target: ["preview"],
                comment: "managed by clipnet-reconciler (environment staging)")
            // What people set: never touched.
            vercel.setEnv(project: project, key: "PREVIEW_ONLY", value: "x", type: "plain", target: ["preview"])
            vercel.setEnv(project: project, key: "NEXTAUTH_URL", value: "https://someone-else.example", type: "plain", target: ["preview"])

            let plan = try await world.daemon.plan()
            let line = try #require(plan.actions.first { $0.detail.contains("preview target") })
            #expect(line.detail.contains("NEXTAUTH_SECRET") && line.detail.contains("LEGACY_FLAG"))
            #expect(!line.detail.contains("PREVIEW_ONLY"))

            let dryRun = try await world.daemon.cleanupPreviewVariables(apply: false, by: "erin")
            #expect(Set(dryRun.found.map(\.key)) == ["NEXTAUTH_SECRET", "LEGACY_FLAG"], "a changed value is not ours: \(dryRun.found)")
            #expect(dryRun.removed.isEmpty)
            #expect(vercel.envs(project: project).count { $0.target == ["preview"] } == 4, "a dry run removes nothing")

            let applied = try await world.daemon.cleanupPreviewVariables(apply: true, by: "erin")
            #expect(Set(applied.removed.map(\.key)) == ["NEXTAUTH_SECRET", "LEGACY_FLAG"])
            let left = Set(vercel.envs(project: project).filter { $0.target == ["preview"] }.map(\.key))
            #expect(left == ["PREVIEW_ONLY", "NEXTAUTH_URL"])
            #expect(try await world.daemon.cleanupPreviewVariables(apply: false, by: "erin").found.isEmpty)
            // The staging variables themselves are untouched.
            #expect(try await world.settle().result == .succeeded)
        }
    }
}
