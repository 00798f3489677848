import ClipnetConfig
import ClipnetContracts
import ClipnetJSON
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// The rollout of a commit, end to end: real git repository, the emulators, the simulated API
/// and worker heartbeats in Redis, the file store and PostgreSQL.
@Suite(.serialized) struct RolloutScenarioTests {
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

extension RolloutScenarioTests {
    @Test(arguments: [Scenario.Store.file, .postgres])
    func aFailingWorkerBuildRollsBackToKnownGoodAndMarksTheRevisionFailed(store: Scenario.Store) async throws {
        try await Scenario.with(store: store) { world in
            // Given R1 rolled out and known-good
            let good = try world.commit("Good change")
            try await world.settle()
            let knownGood = try #require(try await world.record().knownGood)
            // When R2's worker build fails
            let bad = try world.commit("Breaks the worker build")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            // Then every service is back on R1's recorded deployments, nothing was rebuilt for it
            #expect(world.apiRevision == good)
            #expect(world.workerRevision == good)
            #expect(world.frontendRevision == good)
            #expect(world.vercelCreateCalls == 1, "the frontend of the failed revision is never deployed")
            let record = try await world.record()
            #expect(record.knownGood?.revision == good)
            // The record is the same one; a service the rollback moved now names the deployment the
            // platform created for the rollback (so the record does not age out with the old one).
            #expect(record.knownGood?.deployments.frontend == knownGood.deployments.frontend)
            #expect(record.knownGood?.deployments.worker == knownGood.deployments.worker)
            #expect(record.rollout?.phase == .rolledBack)
            #expect(record.rollout?.failedPhase == .deployBackend)
            let failure = try #require(record.failure(for: bad))
            #expect(failure.phase == .deployBackend)
            #expect(failure.reason.contains("worker"))
            // and status says why
            let status = try #require(world.state())
            #expect(status.desired.revision == bad)
            #expect(status.desired.failed?.reason.contains("worker") == true)
            #expect(status.blockedBy?.contains("held back") == true)
            #expect(status.drift.isEmpty, "\(status.drift)")
            let history = try await world.daemon.history(limit: 10)
            #expect(history.contains { $0.kind == .rolloutFailed && $0.revision == bad })
            #expect(history.contains { $0.kind == .rolledBack && $0.revision == good && $0.detail?.contains(bad) == true })
        }
    }

    @Test func aFailedRevisionIsHeldUntilANewCommitOrARetry() async throws {
        try await Scenario.with { world in
            let good = try world.commit("Good")
            try await world.settle()
            let bad = try world.commit("Bad")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            let deploysAfterFailure = world.railwayDeployCalls
            // Passes after the failure do not roll the revision out again
            for _ in 0..<3 { try await world.settle() }
            #expect(world.railwayDeployCalls == deploysAfterFailure)
            #expect(world.apiRevision == good)
            // An operator retry does (and it fails again: the build is still broken)
            try await world.daemon.reconcile(retry: true, by: "alice")
            try await world.settle()
            #expect(world.railwayDeployCalls > deploysAfterFailure)
            #expect(try await world.record().failure(for: bad) != nil)
            #expect(world.apiRevision == good)
            // A new commit rolls out
            let fixed = try world.commit("Fix the worker")
            try await world.settle()
            #expect(world.apiRevision == fixed)
            #expect(world.workerRevision == fixed)
            #expect(try await world.record().knownGood?.revision == fixed)
        }
    }

    @Test func aFirstRolloutThatFailsLeavesTheEnvironmentAsItWasAndSaysSo() async throws {
        try await Scenario.with { world in
            let bad = try world.commit("Broken from the start")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            let record = try await world.record()
            #expect(record.knownGood == nil)
            #expect(record.rollout?.phase == .failed)
            #expect(record.rollout?.rollbackTarget == nil)
            #expect(record.failure(for: bad) != nil)
            #expect(world.railwayRollbackCalls == 0, "no rollback target is invented")
            #expect(world.frontendRevision == nil)
            let status = try #require(world.state())
            #expect(status.rollout?.phase == "failed")
            #expect(status.desired.failed != nil)
        }
    }

    @Test func anUnhealthyAPIFailsTheHealthGateAndIsRolledBack() async throws {
        try await Scenario.with(healthWindowSeconds: 1) { world in
            let good = try world.commit("Good")
            try await world.settle()
            let sick = try world.commit("Answers 503 on /healthz")
            world.sandbox.apps.setUnhealthy(sick)
            try await world.settle()
            #expect(world.apiRevision == good)
            #expect(world.frontendRevision == good, "the alias moved to the new frontend and back")
            let record = try await world.record()
            #expect(record.failure(for: sick)?.phase == .healthGate)
            #expect(record.rollout?.phase == .rolledBack)
            #expect(world.vercelCreateCalls == 2)
        }
    }

    @Test func aWorkerThatCrashesAfterDeployingFailsTheHealthGate() async throws {
        try await Scenario.with(healthWindowSeconds: 2) { world in
            let good = try world.commit("Good")
            try await world.settle()
            let crashing = try world.commit("Worker crashes after start")
            world.sandbox.railway.crashAfterDeploy(
                revision: crashing, serviceId: world.sandbox.manifest.railway.services.worker.serviceId, after: .milliseconds(300))
            try await world.settle()
            #expect(world.workerRevision == good)
            #expect(try await world.record().failure(for: crashing)?.phase == .healthGate)
            // The crashed worker's own last words (its runtime log) are kept with the rollout.
            let log = try #require(world.state()?.rollout?.failureLogs?.first { $0.service == .worker })
            #expect(log.status == "CRASHED")
            #expect(log.lines.last == "fatal: the process exited (code 1)")
        }
    }

    @Test func anIsolationViolationIsRefusedBeforeAnyPlatformIsTouched() async throws {
        try await Scenario.with { world in
            let good = try world.commit("Good")
            try await world.settle()
            let deploys = (world.railwayDeployCalls, world.vercelCreateCalls)
            var staging = try world.sandbox.repository.read("deploy/staging.yaml")
            staging = staging.replacingOccurrences(
                of: "        CLOUDINARY_FOLDER: staging_clips/\n",
                with: "        CLOUDINARY_FOLDER: staging_clips/\n        UPSTREAM_API_URL: https://api.clipnet.ai\n")
            #expect(staging.contains("UPSTREAM_API_URL"))
            let violating = try world.commit("Point staging at production's media", files: ["deploy/staging.yaml": staging])
            let report = try await world.settle()
            #expect(report.result == .stalled)
            #expect(report.reason == .isolationViolation)
            #expect(report.message?.contains("deploy/staging.yaml") == true, "the refusal names file and line: \(report.message ?? "")")
            #expect(world.railwayDeployCalls == deploys.0)
            #expect(world.vercelCreateCalls == deploys.1)
            #expect(world.apiRevision == good)
            let status = try #require(world.state())
            #expect(status.desired.revision == violating)
            #expect(status.blockedBy?.contains("production") == true, "\(status.blockedBy ?? "")")
        }
    }

    @Test func aPlanShowsTheRolloutAndChangesNothing() async throws {
        try await Scenario.with { world in
            let revision = try world.commit("Something to deploy")
            await world.daemon.fetch()
            let plan = try await world.daemon.plan()
            #expect(plan.desiredRevision == revision)
            #expect(plan.actions.contains { $0.action == "deploy" && $0.service == "worker" })
            #expect(plan.actions.contains { $0.action == "markKnownGood" })
            #expect(world.railwayDeployCalls == 0)
            #expect(world.sandbox.railwayServer.host.log.requests(operation: "variableCollectionUpsert").isEmpty)
            #expect(try await world.record().rollout == nil)
        }
    }
}

extension RolloutScenarioTests {
    @Test func aStagedProductionFrontendBuildsBesideTheBackendAndGoesLiveOnlyAfterIt() async throws {
        try await Scenario.with(frontendTarget: "production") { world in
            // Given staging at a known-good revision, its frontend a staged production build
            try await world.settle()
            let before = try #require(world.frontendRevision)
            let creates = world.vercelCreateCalls
            // When a commit lands and one pass runs
            let revision = try world.commit("Beside the backend", files: ["services/web/VERSION": "2\n"])
            await world.daemon.fetch()
            _ = await world.daemon.runPass([.timer])
            // Then the frontend's build was asked for in the same pass as the backend's, staged
            #expect(try await world.record().rollout?.phase == .deployBackend)
            #expect(world.vercelCreateCalls == creates + 1)
            let body = try #require(world.sandbox.vercelServer.host.log.requests("POST", "/v13/deployments").last?.json)
            #expect(body["target"]?.stringValue == "production" && body["autoAssignCustomDomains"]?.boolValue == false)
            #expect(world.frontendRevision == before, "the domain stays on the old build while the backend deploys")
            // and once the rollout is done all three run it, with one frontend build
            let report = try await world.settle()
            #expect(report.result == .succeeded, "\(report)")
            #expect(world.frontendRevision == revision && world.apiRevision == revision && world.workerRevision == revision)
            #expect(world.vercelCreateCalls == creates + 1)
        }
    }

    @Test func aCommitThatLandsDuringARolloutStartsInThePassThatFinishesIt() async throws {
        try await Scenario.with { world in
            try await world.settle()
            // Given a rollout in flight
            let first = try world.commit("First of two", files: ["services/api/VERSION": "2\n"])
            await world.daemon.fetch()
            _ = await world.daemon.runPass([.timer])
            #expect(try await world.record().rollout?.isActive == true)
            // When a second commit lands before it ends
            let second = try world.commit("Second of two", files: ["services/api/VERSION": "3\n"])
            await world.daemon.fetch()
            var finishing: PassReport?
            for _ in 0..<400 where finishing == nil {
                let report = await world.daemon.runPass([.timer])
                let record = try await world.record()
                if record.rollout?.revision == first, record.rollout?.isActive == false { finishing = report }
                try await Task.sleep(for: .milliseconds(20))
            }
            // Then the pass that finishes the first asks for the next pass at once, naming the second
            let report = try #require(finishing)
            #expect(try await world.record().knownGood?.revision == first)
            #expect(report.result == .requeued(after: .zero), "\(report)")
            #expect(report.message?.contains(CommitID.short(second)) == true, "\(report.message ?? "")")
            // and that pass starts the second's rollout
            _ = await world.daemon.runPass([.timer])
            #expect(try await world.record().rollout?.revision == second)
        }
    }

    @Test func thePassThatStartsARolloutDeploysBeforeObservingTheRest() async throws {
        try await Scenario.with { world in
            try await world.settle()
            let railway = world.sandbox.railwayServer.host.log
            let vercel = world.sandbox.vercelServer.host.log
            railway.clear()
            vercel.clear()
            // When a commit lands and the pass that starts its rollout runs
            let revision = try world.commit("Sooner", files: ["services/api/VERSION": "4\n"])
            await world.daemon.fetch()
            _ = await world.daemon.runPass([.newHead])
            // Then it deployed the backend without the observation's reads (auto-deploy switches,
            // the project, Vercel's project): only what the variables and the deploy need
            let operations = railway.all.compactMap(\.operation)
            #expect(operations.contains("serviceInstanceDeployV2"), "\(operations)")
            #expect(!operations.contains("serviceInstanceAutoDeployStatus"), "\(operations)")
            #expect(vercel.requests("GET", "/v9/projects/\(world.sandbox.manifest.frontend.projectId)").isEmpty)
            #expect(try await world.record().rollout?.revision == revision)
            // and the rollout still ends with the environment observed in full
            let report = try await world.settle()
            #expect(report.result == .succeeded, "\(report)")
            #expect(railway.requests(operation: "serviceInstanceAutoDeployStatus").count > 0)
            #expect(world.state()?.services.first { $0.name == "api" }?.revision == revision)
        }
    }
}
