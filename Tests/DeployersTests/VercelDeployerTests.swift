import ClipnetContracts
import Deployers
import Foundation
import PlatformEmulators
import Testing

@Suite struct VercelDeployerTests {
    @Test func deployBuildsTheShaAndWaitingEndsReady() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            let done = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            #expect(done.status == .ready)
            #expect(done.rawStatus == "READY")
            #expect(done.commitSha == Fixture.shaA)
            #expect(done.rolloutID == "r-1")
            #expect(done.url?.hasPrefix("https://") == true)
            #expect(done.createdAt != nil)
        }
    }

    @Test func deployingTheSameRolloutTwiceCreatesOneDeployment() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let request = DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1")
            let first = try await vercel.deploy(request)
            let second = try await vercel.deploy(request)
            #expect(first == second)
            #expect(h.log.requests("POST", "/v13/deployments").count == 1)
            #expect(h.emulator.deployments().count == 1)
        }
    }

    @Test func anotherRolloutOfTheSameShaGetsItsOwnDeployment() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let first = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            let second = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-2"))
            #expect(first != second)
        }
    }

    @Test func createAnsweredWith500AfterProcessingIsFoundNotRepeated() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.serverErrorAfterProcessing(status: 500), count: 1, matching: "/v13/deployments")
            let id = try await h.deployer().deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            #expect(h.emulator.deployments().map(\.id) == [id.rawValue])
            #expect(h.log.requests("POST", "/v13/deployments").count == 1)
            #expect(h.log.requests("GET", "/v7/deployments").count == 2)
        }
    }

    @Test func failedBuildEndsFailedWithTheRawStatus() async throws {
        try await VercelHarness.with { h in
            h.emulator.failBuild(sha: Fixture.shaB)
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-2"))
            let done = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            #expect(done.status == .failed)
            #expect(done.rawStatus == "ERROR")
        }
    }

    @Test func aFailedDeploymentOfTheRolloutIsReturnedNotBuiltAgain() async throws {
        try await VercelHarness.with { h in
            h.emulator.failBuild(sha: Fixture.shaB)
            let vercel = h.deployer()
            let request = DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-2")
            let first = try await vercel.deploy(request)
            _ = try await vercel.waitForTerminal(first, of: .frontend, policy: Fixture.wait)
            // Same rollout: its failed deployment back (the phase fails on it), no second build.
            #expect(try await vercel.deploy(request) == first)
            // A new rollout (retry, new commit) builds again.
            let retried = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-3"))
            #expect(retried != first)
        }
    }

    @Test func hungBuildStopsWaitingAtTheDeadline() async throws {
        try await VercelHarness.with { h in
            h.emulator.hangBuild(sha: Fixture.shaC)
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-3"))
            var policy = Fixture.wait
            policy.deadline = .milliseconds(300)
            let error = await #expect(throws: DeployerError.self) { try await vercel.waitForTerminal(id, of: .frontend, policy: policy) }
            #expect(error?.code == .deadlineExceeded)
            #expect(error?.isRetryable == false)
        }
    }

    @Test func hungBuildIsCancelledAfterTheDeadline() async throws {
        try await VercelHarness.with { h in
            h.emulator.hangBuild(sha: Fixture.shaC)
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-3"))
            let cancelled = try await vercel.cancel(id, of: .frontend)
            #expect(cancelled.status == .canceled)
            #expect(h.log.requests("PATCH", "/v12/deployments/\(id)/cancel").count == 1)
            #expect(try await vercel.cancel(id, of: .frontend).rawStatus == "CANCELED")
        }
    }

    @Test func waitingIsCancellable() async throws {
        try await VercelHarness.with { h in
            h.emulator.hangBuild(sha: Fixture.shaC)
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-3"))
            let task = Task { try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    @Test func unknownCommitIsRejectedWithoutRetry() async throws {
        try await VercelHarness.with { h in
            let error = await #expect(throws: DeployerError.self) {
                try await h.deployer().deploy(DeployRequest(service: .frontend, revision: Fixture.unknownSha, rolloutID: "r-9"))
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.isRetryable == false)
            #expect(error?.message.contains("incorrect_git_source_info") == true)
            #expect(h.log.requests("POST", "/v13/deployments").count == 1)
        }
    }

    @Test func shortRevisionIsRefusedBeforeAnyCall() async throws {
        try await VercelHarness.with { h in
            await #expect(throws: DeployerError.self) {
                try await h.deployer().deploy(DeployRequest(service: .frontend, revision: "abc123", rolloutID: "r-1"))
            }
            #expect(h.log.all.isEmpty)
        }
    }

    @Test func observeIsNilBeforeTheAliasExists() async throws {
        try await VercelHarness.with { h in
            let live = try await h.deployer().observe(.frontend)
            #expect(live == nil)
        }
    }

    @Test func repointMovesTheAliasWithoutBuildingAndObserveFollows() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let a = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await vercel.waitForTerminal(a, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.repoint(.frontend, to: a, reapplying: [])
            let b = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await vercel.waitForTerminal(b, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.repoint(.frontend, to: b, reapplying: [])
            #expect(try await vercel.observe(.frontend)?.commitSha == Fixture.shaB)
            let creates = h.log.requests("POST", "/v13/deployments").count
            let back = try await vercel.repoint(.frontend, to: a, reapplying: [])
            #expect(back == a)
            #expect(h.emulator.aliasTarget(Fixture.alias) == a.rawValue)
            #expect(try await vercel.observe(.frontend)?.commitSha == Fixture.shaA)
            #expect(h.log.requests("POST", "/v13/deployments").count == creates)
        }
    }

    @Test func repointToADeploymentStillBuildingIsRejected() async throws {
        try await VercelHarness.with { h in
            h.emulator.hangBuild(sha: Fixture.shaC)
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-3"))
            let error = await #expect(throws: DeployerError.self) { try await vercel.repoint(.frontend, to: id, reapplying: []) }
            #expect(error?.code == .invalidRequest)
        }
    }

    @Test func observeSeesTheAliasRepointedByHand() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let a = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            let b = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await vercel.waitForTerminal(a, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.waitForTerminal(b, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.repoint(.frontend, to: b, reapplying: [])
            h.emulator.repointAlias(Fixture.alias, to: a.rawValue)
            let live = try await vercel.observe(.frontend)
            #expect(live?.id == a)
            #expect(live?.commitSha == Fixture.shaA)
        }
    }

    @Test func variablesAreHashedAndSensitiveOnesAreUnreadable() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            try await vercel.upsertVariables(
                [
                    DesiredVariable(key: "NEXT_PUBLIC_API_URL", value: "https://api.staging.clipnet.ai", kind: .plain),
                    DesiredVariable(key: "OAUTH_SECRET", value: "super-secret-value-123", kind: .secret),
                ], for: .frontend)
            let observed = try await vercel.variables(of: .frontend)
            #expect(observed.map(\.key) == ["NEXT_PUBLIC_API_URL", "OAUTH_SECRET"])
            #expect(observed[0].matches("https://api.staging.clipnet.ai"))
            #expect(observed[0].type == "plain")
            #expect(observed[1].valueSHA256 == nil)
            #expect(observed[1].type == "sensitive")
            #expect(observed[1].targets == ["preview"])
            #expect(!"\(observed)".contains("super-secret-value-123"))
        }
    }

    @Test func upsertOverwritesAnExistingKey() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            try await vercel.upsertVariables([DesiredVariable(key: "MODE", value: "one", kind: .plain)], for: .frontend)
            try await vercel.upsertVariables([DesiredVariable(key: "MODE", value: "two", kind: .plain)], for: .frontend)
            let envs = h.emulator.envs(project: Fixture.vercelProject)
            #expect(envs.count == 1)
            #expect(envs.first?.value == "two")
        }
    }

    @Test func upsertReportsTheFailedArrayAsPartialFailure() async throws {
        try await VercelHarness.with { h in
            h.emulator.failEnvUpsert(key: "BROKEN")
            let error = await #expect(throws: DeployerError.self) {
                try await h.deployer().upsertVariables(
                    [
                        DesiredVariable(key: "OK", value: "fine-value-1", kind: .plain),
                        DesiredVariable(key: "BROKEN", value: "secret-never-shown-42"),
                    ], for: .frontend)
            }
            #expect(error?.code == .partialFailure)
            #expect(error?.message.contains("BROKEN") == true)
            #expect(error.map { "\($0)" }?.contains("secret-never-shown-42") == false)
            #expect(h.emulator.envs(project: Fixture.vercelProject).map(\.key) == ["OK"])
        }
    }

    @Test func topologyIsTheProjectAndAutoDeployHasNoAPISwitch() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let topology = try await vercel.topology()
            #expect(topology.project == .init(id: Fixture.vercelProject, name: "clipnet-web"))
            let state = try await vercel.disableAutoDeploy(for: .frontend)
            #expect(state.enabled == nil)
            #expect(state.canSwitchOff == false)
            #expect(state.detail.contains("deploymentEnabled"))
        }
    }

    @Test func otherServicesAreRefused() async throws {
        try await VercelHarness.with { h in
            let error = await #expect(throws: DeployerError.self) { try await h.deployer().observe(.api) }
            #expect(error?.code == .unsupportedService)
        }
    }

    @Test func wrongTokenIsUnauthorizedAfterOneCall() async throws {
        try await VercelHarness.with { h in
            let error = await #expect(throws: DeployerError.self) { try await h.deployer(token: "wrong-token-value").topology() }
            #expect(error?.code == .unauthorized)
            #expect(error?.isRetryable == false)
            #expect(h.log.all.count == 1)
        }
    }

    @Test func everyCallIsScopedToTheTeam() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.repoint(.frontend, to: id, reapplying: [DesiredVariable(key: "K", value: "value-xyz", kind: .plain)])
            _ = try await vercel.variables(of: .frontend)
            _ = try await vercel.topology()
            #expect(h.log.all.count > 5)
            #expect(h.log.all.allSatisfy { $0.queryValue("teamId") == Fixture.teamId })
        }
    }
}
