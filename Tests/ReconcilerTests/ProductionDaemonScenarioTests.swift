import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// The flow from merge to production: staging follows `develop`; `reconciler promote` on staging
/// fast-forwards `production` of the origin; production's daemon (the same binary with
/// `environment: production`, its own state and manifests) follows that branch, so it rolls out
/// what was promoted and nothing else.
@Suite(.serialized) struct ProductionDaemonScenarioTests {
    static func promotion(_ text: String) -> String { text + "promotion:\n  branch: production\n" }

    static func startProduction(_ world: Scenario, secrets: [String: String] = [:]) async throws -> (SandboxProduction, ReconcilerDaemon) {
        let origin = try #require(world.bareOrigin)
        let production = try await SandboxProduction.start(beside: world.sandbox, productionSecrets: secrets)
        try world.commit("Production's sandbox manifests", files: production.files)
        let configuration = try DaemonConfiguration.parse(production.daemonConfiguration(origin: origin), file: "production-daemon.yaml")
        #expect(configuration.repository.branch == "production" && configuration.environment == "production")
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, environment: production.environment, logger: Scenario.quietLogger)
        return (production, daemon)
    }

    @Test func productionRollsOutOnlyWhatStagingPromoted() async throws {
        try await Scenario.with(heartbeats: false, bareOrigin: true, configure: Self.promotion) { world in
            let (production, daemon) = try await Self.startProduction(world)
            let first = try world.commit("First")
            try await world.settle()
            #expect(world.state()?.knownGood?.revision == first && world.apiRevision == first)

            // Nothing promoted: production's branch does not exist yet, and nothing is deployed.
            await daemon.fetch()
            _ = await daemon.runPass([.timer])
            #expect(production.apiRevision == nil && daemon.status().document.knownGood == nil)
            #expect(daemon.status().document.git.lastError?.contains("production") == true, "\(daemon.status().document.git)")

            let promotion = try await world.daemon.promote(first, reason: "release 1", by: "alice")
            #expect(promotion.branch == "production" && promotion.previous == nil)
            try await Scenario.settle(daemon)
            var status = daemon.status().document
            #expect(status.environment == "production" && status.branch == "production")
            #expect(status.knownGood?.revision == first, "\(String(describing: status.lastReconcile))")
            #expect(production.apiRevision == first, "production's API runs the promoted image")
            #expect(world.frontendRevision(domain: production.domain) == first)
            #expect(status.desired.source == .branch)

            // develop moves on and staging follows; production stays where it was promoted.
            let second = try world.commit("Second")
            try await world.settle()
            #expect(world.apiRevision == second)
            try await Scenario.settle(daemon)
            #expect(production.apiRevision == first && daemon.status().document.knownGood?.revision == first)

            // Nothing marks a build for production.
            do {
                _ = try await daemon.requestDeployment(revision: second, deployment: 77, by: "github:bob", ref: nil)
                Issue.record("production took a deployment request")
            } catch let error as OperatorError {
                #expect(error.code == .notMarkable, "\(error)")
            }
            #expect(daemon.status().document.desired.revision == first)

            // Promoted: production follows.
            _ = try await world.daemon.promote(second, reason: "release 2", by: "alice")
            try await Scenario.settle(daemon)
            status = daemon.status().document
            #expect(status.knownGood?.revision == second && production.apiRevision == second)
            #expect(world.frontendRevision(domain: production.domain) == second)
            // Staging's own environment never moved: each daemon deploys to its own.
            #expect(world.apiRevision == second && world.frontendRevision == second)
            let history = try await daemon.history(limit: 50)
            #expect(history.filter { $0.kind == .knownGood }.compactMap(\.revision) == [second, first], "\(history.map(\.kind))")
            await production.stop()
        }
    }

    @Test func productionNamingStagingsDatabaseIsRefusedBeforeAnythingIsDeployed() async throws {
        try await Scenario.with(heartbeats: false, bareOrigin: true, configure: Self.promotion) { world in
            let stagingDatabase = try #require(world.sandbox.environment["STAGING_DATABASE_URL"])
            let (production, daemon) = try await Self.startProduction(world, secrets: ["PROD_DATABASE_URL": stagingDatabase])
            let first = try world.commit("First")
            try await world.settle()
            _ = try await world.daemon.promote(first, reason: "release 1", by: "alice")
            let report = try await Scenario.settle(daemon)
            #expect(report.result == .stalled, "\(report)")
            #expect(report.message?.contains("staging") == true, "\(String(describing: report.message))")
            #expect(report.message?.contains(stagingDatabase) != true, "the value is never shown")
            #expect(production.apiRevision == nil && daemon.status().document.knownGood == nil)
            await production.stop()
        }
    }
}
