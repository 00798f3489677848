import ClipnetContracts
import Deployers
import Foundation
import PlatformEmulators
import Testing

/// Lists are read to the end, and a deploy adopts only a deployment that is really this rollout's.
@Suite struct PaginationAndIdempotencyTests {
    @Test func vercelEnvListingFollowsPagination() async throws {
        try await VercelHarness.with(envPageSize: 2) { h in
            for index in 0..<7 {
                h.emulator.setEnv(project: Fixture.vercelProject, key: "KEY_\(index)", value: "v\(index)", type: "plain", target: ["preview"])
            }
            let observed = try await h.deployer(target: .preview).variables(of: .frontend)
            #expect(observed.map(\.key) == (0..<7).map { "KEY_\($0)" })
            #expect(h.log.requests("GET", "/v10/projects/\(Fixture.vercelProject)/env").count == 4)
        }
    }

    @Test func railwayProjectServicesFollowPagination() async throws {
        try await RailwayHarness.with(connectionPageSize: 1) { h in
            h.emulator.addService(id: "svc-extra", name: "extra", projectId: Fixture.railwayProject, image: "nginx:1")
            let topology = try await h.deployer().topology()
            #expect(Set(topology.services.map(\.id)) == [Fixture.apiService, Fixture.workerService, "svc-extra"])
            #expect(h.log.requests(operation: "project").count >= 2)
        }
    }

    /// A deployment of the rollout that was deleted or is blocked is returned as it is (its status
    /// fails the rollout's phase), never built a second time for the same rollout.
    @Test func vercelReturnsADeletedOrBlockedDeploymentOfTheRolloutInsteadOfBuildingAgain() async throws {
        try await VercelHarness.with { h in
            let deployer = h.deployer()
            let request = DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-delete")
            let first = try await deployer.deploy(request)
            _ = try await deployer.waitForTerminal(first, of: .frontend, policy: Fixture.wait)
            h.emulator.expireDeployment(first.rawValue)
            let creates = h.log.requests("POST", "/v13/deployments").count
            #expect(try await deployer.deploy(request) == first)
            #expect(h.log.requests("POST", "/v13/deployments").count == creates)

            h.emulator.blockBuild(sha: Fixture.shaB)
            let blockedRequest = DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-blocked")
            let blocked = try await deployer.deploy(blockedRequest)
            #expect(try await deployer.waitForTerminal(blocked, of: .frontend, policy: Fixture.wait).status == .blocked)
            #expect(try await deployer.deploy(blockedRequest) == blocked)
            #expect(try await deployer.deployment(blocked, of: .frontend).status.isSuccess == false)
        }
    }

    @Test func railwayDoesNotAdoptAnAutoDeployBuiltBeforeTheVariableSync() async throws {
        try await RailwayHarness.with { h in
            // The platform's auto-deploy built the commit with the old version variable.
            h.emulator.setVariables(["CLIPNET_VERSION": "old"], serviceId: Fixture.apiService, environmentId: Fixture.staging)
            let automatic = try #require(h.emulator.deployByPush(serviceId: Fixture.apiService, environmentId: Fixture.staging, sha: Fixture.shaA))
            let deployer = h.deployer()
            _ = try await deployer.waitForTerminal(DeploymentID(automatic), of: .api, policy: Fixture.wait)

            // The rollout syncs the variables, then deploys.
            try await deployer.upsertVariables([DesiredVariable(key: "CLIPNET_VERSION", value: Fixture.shaA, kind: .plain)], for: .api)
            let request = DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-sync")
            let ours = try await deployer.deploy(request)
            #expect(ours.rawValue != automatic)

            // Retried, by this deployer or one built on the next pass: the same deployment.
            #expect(try await deployer.deploy(request) == ours)
            #expect(try await h.deployer().deploy(request) == ours)

            // A push deployment built after the sync (its variables are the service's now) is
            // adopted, as after a restart, when the process no longer knows what it created.
            let pushed = try #require(h.emulator.deployByPush(serviceId: Fixture.apiService, environmentId: Fixture.staging, sha: Fixture.shaB))
            #expect(try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-next")).rawValue == pushed)
        }
    }
}
