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

    /// Passes of production's daemon until it is not rolling anything out.
    @discardableResult
    static func settle(_ daemon: ReconcilerDaemon) async throws -> PassReport {
        await daemon.fetch()
        var last: PassReport?
        for _ in 0..<400 {
            let report = await daemon.runPass([.timer])
            last = report
            switch report.result {
            case .requeued(let after), .waiting(let after): try await Task.sleep(for: min(after, .milliseconds(100)))
            case .failed: try await Task.sleep(for: .milliseconds(50))
            case .succeeded, .stalled:
                if daemon.status().document.rollout.flatMap({ RolloutPhase(rawValue: $0.phase) })?.isActive != true { return report }
            }
        }
        throw ScenarioError("production never settled; last: \(String(describing: last))")
    }

    static func frontendRevision(_ world: Scenario, domain: String) -> String? {
        guard let target = world.sandbox.vercel.aliasTarget(domain) else { return nil }
        return world.sandbox.vercel.deployments().first { $0.id == target }?.sha
    }

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
            try await Self.settle(daemon)
            var status = daemon.status().document
            #expect(status.environment == "production" && status.branch == "production")
            #expect(status.knownGood?.revision == first, "\(String(describing: status.lastReconcile))")
            #expect(production.apiRevision == first, "production's API runs the promoted image")
            #expect(Self.frontendRevision(world, domain: production.domain) == first)
            #expect(status.desired.source == .branch)

            // develop moves on and staging follows; production stays where it was promoted.
            let second = try world.commit("Second")
            try await world.settle()
            #expect(world.apiRevision == second)
            try await Self.settle(daemon)
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
            try await Self.settle(daemon)
            status = daemon.status().document
            #expect(status.knownGood?.revision == second && production.apiRevision == second)
            #expect(Self.frontendRevision(world, domain: production.domain) == second)
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
            let report = try await Self.settle(daemon)
            #expect(report.result == .stalled, "\(report)")
            #expect(report.message?.contains("staging") == true, "\(String(describing: report.message))")
            #expect(report.message?.contains(stagingDatabase) != true, "the value is never shown")
            #expect(production.apiRevision == nil && daemon.status().document.knownGood == nil)
            await production.stop()
        }
    }
}
