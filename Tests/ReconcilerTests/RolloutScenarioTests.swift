import Foundation
import KnownGoodStore
import Reconciler
import Testing

/// The rollout of a commit, end to end: real git repository, the emulators, the simulated API
/// and worker heartbeats in Redis, the file store and PostgreSQL.
@Suite struct RolloutScenarioTests {
    @Test(arguments: [Scenario.Store.file, .postgres])
    func aCommitRollsOutWithMatchingTagsAndBecomesKnownGood(store: Scenario.Store) async throws {
        try await Scenario.with(store: store) { world in
            // Given a repository whose develop branch has CLIPNET's manifests
            let revision = try world.commit("Add the clip pipeline", files: ["services/api/VERSION": "1\n"])
            // When the reconciler runs
            let report = try await world.settle()
            // Then api, worker and frontend run the commit, with the same version tag
            #expect(report.result == .succeeded, "\(report)")
            #expect(world.apiRevision == revision)
            #expect(world.workerRevision == revision)
            #expect(world.frontendRevision == revision)
            let record = try await world.record()
            #expect(record.knownGood?.revision == revision)
            #expect(record.knownGood?.deployments.api != nil)
            #expect(record.knownGood?.deployments.worker != nil)
            #expect(record.knownGood?.deployments.frontend == world.sandbox.vercel.aliasTarget("staging.clipnet.ai"))
            #expect(record.rollout?.phase == .succeeded)
            // and the services were told the version tag they report
            let variables = world.sandbox.railway.variables(
                serviceId: world.sandbox.manifest.railway.services.worker.serviceId, environmentId: world.sandbox.manifest.railway.environmentId)
            #expect(variables["CLIPNET_VERSION"] == revision)
            // and status says so, with where each revision comes from
            let status = try #require(world.state())
            #expect(status.knownGood?.revision == revision)
            let sources = Dictionary(uniqueKeysWithValues: status.services.map { ($0.name, $0.revisionSource) })
            #expect(sources == ["frontend": "platform", "api": "versionEndpoint", "worker": "heartbeat"])
            #expect(status.services.allSatisfy { $0.revision == revision })
            #expect(status.drift.isEmpty, "\(status.drift)")
            // and exactly one deployment per service was made
            #expect(world.railwayDeployCalls == 2)
            #expect(world.vercelCreateCalls == 1)
        }
    }
}
