import ClipnetContracts
import Deployers
import Foundation
import PlatformEmulators
import Testing

@Suite struct RailwayDeployerTests {
    @Test func deployGitServiceRunsTheLifecycleToSuccess() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            let done = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait)
            #expect(done.status == .ready)
            #expect(done.rawStatus == "SUCCESS")
            #expect(done.commitSha == Fixture.shaA)
            #expect(try await railway.observe(.api)?.id == id)
        }
    }

    @Test func deployImageServiceSetsTheVersionTagThenDeploys() async throws {
        try await RailwayHarness.with(workerImage: "ghcr.io/clipnet/worker") { h in
            let railway = h.deployer()
            let id = try await railway.deploy(
                DeployRequest(service: .worker, revision: Fixture.shaA, versionTag: "v-\(Fixture.shaA.prefix(12))", rolloutID: "r-1"))
            let done = try await railway.waitForTerminal(id, of: .worker, policy: Fixture.wait)
            #expect(done.status == .ready)
            #expect(done.image == "ghcr.io/clipnet/worker:v-\(Fixture.shaA.prefix(12))")
            #expect(done.imageTag == "v-\(Fixture.shaA.prefix(12))")
            #expect(h.emulator.image(serviceId: Fixture.workerService, environmentId: Fixture.staging) == done.image)
            #expect(h.log.requests(operation: "serviceInstanceUpdate").count == 1)
        }
    }

    @Test func deployingTheSameRevisionTwiceCreatesOneDeployment() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let first = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            let second = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            #expect(first == second)
            #expect(h.log.requests(operation: "serviceInstanceDeployV2").count == 1)
        }
    }

    @Test func deployAnswered500AfterProcessingIsFoundNotRepeated() async throws {
        try await RailwayHarness.with { h in
            h.faults.inject(.serverErrorAfterProcessing(status: 502), count: 1, matching: "serviceInstanceDeployV2")
            let id = try await h.deployer().deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            #expect(h.emulator.deployments().map(\.id) == [id.rawValue])
            #expect(h.log.requests(operation: "serviceInstanceDeployV2").count == 1)
        }
    }

    @Test func unknownCommitIsRejectedAndCreatesNothing() async throws {
        try await RailwayHarness.with { h in
            let error = await #expect(throws: DeployerError.self) {
                try await h.deployer().deploy(DeployRequest(service: .api, revision: Fixture.unknownSha, rolloutID: "r-1"))
            }
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("Commit not found") == true)
            #expect(h.emulator.deployments().isEmpty)
        }
    }

    @Test func failedBuildEndsFailed() async throws {
        try await RailwayHarness.with { h in
            h.emulator.failBuild(revision: Fixture.shaB, serviceId: Fixture.apiService)
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            let done = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait)
            #expect(done.status == .failed)
            #expect(done.rawStatus == "FAILED")
            // The same rollout gets its failed deployment back (its phase fails on it); it never
            // builds the service a second time. A new rollout builds again.
            let again = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            #expect(again == id)
            let retried = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-3"))
            #expect(retried != id)
        }
    }

    @Test func crashWhileDeployingEndsCrashed() async throws {
        try await RailwayHarness.with { h in
            h.emulator.crashAfterDeploy(revision: Fixture.shaB, serviceId: Fixture.workerService)
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaB, rolloutID: "r-2"))
            let done = try await railway.waitForTerminal(id, of: .worker, policy: Fixture.wait)
            #expect(done.status == .crashed)
        }
    }

    @Test func crashAfterSuccessShowsWhenObserved() async throws {
        try await RailwayHarness.with { h in
            h.emulator.crashAfterDeploy(revision: Fixture.shaB, serviceId: Fixture.apiService, after: .milliseconds(100))
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            // Terminal once SUCCESS; a loaded machine may first see it already CRASHED.
            let first = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait).status
            #expect(first == .ready || first == .crashed)
            var status = first
            for _ in 0..<100 where status == .ready {
                try await Task.sleep(for: .milliseconds(20))
                status = try await railway.deployment(id, of: .api).status
            }
            #expect(status == .crashed)
            #expect(try await railway.observe(.api)?.status == .crashed)
        }
    }

    @Test func hungBuildStopsWaitingAtTheDeadline() async throws {
        try await RailwayHarness.with { h in
            h.emulator.hangBuild(revision: Fixture.shaC)
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaC, rolloutID: "r-3"))
            var policy = Fixture.wait
            policy.deadline = .milliseconds(250)
            let error = await #expect(throws: DeployerError.self) { try await railway.waitForTerminal(id, of: .api, policy: policy) }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test func hungBuildIsCancelledAndEndsRemoved() async throws {
        try await RailwayHarness.with { h in
            h.emulator.hangBuild(revision: Fixture.shaC)
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaC, rolloutID: "r-3"))
            let cancelled = try await railway.cancel(id, of: .api)
            #expect(cancelled.rawStatus == "REMOVED")
            #expect(h.log.requests(operation: "deploymentCancel").count == 1)
        }
    }

    @Test func rollbackOfAnImageServiceRestoresTheImage() async throws {
        try await RailwayHarness.with(workerImage: "ghcr.io/clipnet/worker") { h in
            let railway = h.deployer()
            let a = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaA, versionTag: "tag-a", rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .worker, policy: Fixture.wait)
            let b = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaB, versionTag: "tag-b", rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .worker, policy: Fixture.wait)
            let serving = try await railway.repoint(.worker, to: a, reapplying: [])
            let done = try await railway.waitForTerminal(serving, of: .worker, policy: Fixture.wait)
            #expect(done.imageTag == "tag-a")
            #expect(h.emulator.image(serviceId: Fixture.workerService, environmentId: Fixture.staging) == "ghcr.io/clipnet/worker:tag-a")
        }
    }

    @Test func olderDeploymentBecomesRemovedOnceTheNewOneSucceeds() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let a = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .api, policy: Fixture.wait)
            let b = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .api, policy: Fixture.wait)
            #expect(try await railway.deployment(a, of: .api).rawStatus == "REMOVED")
            #expect(try await railway.observe(.api)?.id == b)
        }
    }

    @Test func rollbackRestoresTheOldRevisionAndReappliesDesiredVariables() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            try await railway.upsertVariables([DesiredVariable(key: "FEATURE", value: "old-value")], for: .api)
            let a = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .api, policy: Fixture.wait)
            try await railway.upsertVariables([DesiredVariable(key: "FEATURE", value: "new-value")], for: .api)
            let b = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .api, policy: Fixture.wait)
            let deploysBefore = h.log.requests(operation: "serviceInstanceDeployV2").count

            let serving = try await railway.repoint(.api, to: a, reapplying: [DesiredVariable(key: "FEATURE", value: "new-value")])
            #expect(serving != a)
            let done = try await railway.waitForTerminal(serving, of: .api, policy: Fixture.wait)
            #expect(done.status == .ready)
            #expect(done.commitSha == Fixture.shaA)
            #expect(try await railway.observe(.api)?.commitSha == Fixture.shaA)
            // The rollback restored FEATURE=old-value; the re-apply put the desired value back.
            #expect(h.emulator.variables(serviceId: Fixture.apiService, environmentId: Fixture.staging)["FEATURE"] == "new-value")
            #expect(h.log.requests(operation: "serviceInstanceDeployV2").count == deploysBefore)
        }
    }

    @Test func rollbackToANeverSuccessfulDeploymentIsUnavailable() async throws {
        try await RailwayHarness.with { h in
            h.emulator.failBuild(revision: Fixture.shaB)
            let railway = h.deployer()
            let b = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .api, policy: Fixture.wait)
            let error = await #expect(throws: DeployerError.self) { try await railway.repoint(.api, to: b, reapplying: []) }
            #expect(error?.code == .rollbackUnavailable)
            #expect(error?.isRetryable == false)
        }
    }

    @Test func observeSeesARollbackMadeByHand() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let a = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .api, policy: Fixture.wait)
            let b = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .api, policy: Fixture.wait)
            #expect(h.emulator.rollbackByHand(to: a.rawValue))
            var live = try await railway.observe(.api)
            for _ in 0..<100 where live?.commitSha != Fixture.shaA {
                try await Task.sleep(for: .milliseconds(20))
                live = try await railway.observe(.api)
            }
            #expect(live?.commitSha == Fixture.shaA)
        }
    }

    @Test func variablesAreHashedAndUpsertSkipsDeploys() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let a = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .worker, policy: Fixture.wait)
            try await railway.upsertVariables(
                [
                    DesiredVariable(key: "REDIS_URL", value: "redis://staging-redis:6379/0"),
                    DesiredVariable(key: "API_URL", value: "${{api.RAILWAY_PUBLIC_DOMAIN}}", kind: .plain),
                ], for: .worker)
            #expect(h.emulator.deployments().count == 1)
            let observed = try await railway.variables(of: .worker)
            #expect(observed.map(\.key) == ["API_URL", "REDIS_URL"])
            #expect(observed[0].matches("${{api.RAILWAY_PUBLIC_DOMAIN}}"))
            #expect(observed[1].valueSHA256 == VariableHash.sha256("redis://staging-redis:6379/0"))
        }
    }

    @Test func topologyListsServicesAndEnvironments() async throws {
        try await RailwayHarness.with { h in
            let topology = try await h.deployer().topology()
            #expect(topology.project.id == Fixture.railwayProject)
            #expect(topology.services.map(\.id) == [Fixture.apiService, Fixture.workerService])
            #expect(topology.environments.map(\.name) == ["staging", "production"])
        }
    }

    @Test func autoDeployIsReadAndSwitchedOff() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            #expect(try await railway.autoDeploy(of: .api).enabled == true)
            let state = try await railway.disableAutoDeploy(for: .api)
            #expect(state.enabled == false)
            #expect(h.emulator.autoDeployEnabled(serviceId: Fixture.apiService, environmentId: Fixture.staging) == false)
            #expect(try await railway.autoDeploy(of: .api).enabled == false)
        }
    }

    @Test func projectTokenTravelsInProjectAccessTokenHeader() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer(token: .project(Fixture.railwayProjectToken))
            _ = try await railway.variables(of: .api)
            let headers = try #require(h.log.all.first?.headers)
            #expect(headers["project-access-token"] == Fixture.railwayProjectToken)
            #expect(headers["authorization"] == nil)
        }
    }

    @Test func graphQLErrorsInA200AreCheckedBeforeData() async throws {
        try await RailwayHarness.with { h in
            let error = await #expect(throws: DeployerError.self) { try await h.deployer(token: .account("wrong-token-value")).topology() }
            #expect(error?.code == .unauthorized)
            #expect(error?.httpStatus == 200)
            #expect(h.log.all.count == 1)
        }
    }
}
