import ClipnetContracts
import ClipnetJSON
import Deployers
import Foundation
import PlatformEmulators
import TestSupport
import Testing

/// Whether a known-good deployment can still be re-pointed to, and which deployment a Railway
/// rollback created.
@Suite struct RollbackReadinessTests {
    @Test func aRailwayDeploymentIsRollbackReadyUntilItsImageRetentionAfterBeingReplaced() async throws {
        try await RailwayHarness.with(imageRetention: .milliseconds(400)) { h in
            let deployer = h.deployer()
            let first = try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r1"))
            #expect(try await deployer.waitForTerminal(first, of: .api, policy: Fixture.wait).status == .ready)
            #expect(try await deployer.rollbackReadiness(of: first, service: .api).state == .ready)

            let second = try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r2"))
            #expect(try await deployer.waitForTerminal(second, of: .api, policy: Fixture.wait).status == .ready)
            // Replaced: still ready for the retention window, with an estimated expiry.
            let replaced = try await deployer.rollbackReadiness(of: first, service: .api)
            if replaced.state == .ready { #expect(replaced.expiresAt != nil) }

            #expect(try await eventually(within: .seconds(20)) { try await deployer.rollbackReadiness(of: first, service: .api).state == .expired })
            let error = await #expect(throws: DeployerError.self) { try await deployer.repoint(.api, to: first, reapplying: []) }
            #expect(error?.code == .rollbackUnavailable)
        }
    }

    @Test func theDeploymentARailwayRollbackCreatedIsFoundByItsReason() async throws {
        try await RailwayHarness.with { h in
            let deployer = h.deployer()
            let first = try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r1"))
            _ = try await deployer.waitForTerminal(first, of: .api, policy: Fixture.wait)
            let second = try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r2"))
            _ = try await deployer.waitForTerminal(second, of: .api, policy: Fixture.wait)
            #expect(try await deployer.deploymentCreatedByRollback(of: .api, since: nil) == nil)

            let serving = try await deployer.repoint(.api, to: first, reapplying: [])
            #expect(serving != first)
            let created = try #require(try await deployer.deploymentCreatedByRollback(of: .api, since: nil))
            #expect(created.id == serving)
            #expect(created.commitSha == Fixture.shaA)
            let meta = h.emulator.deployments().first { $0.id == serving.rawValue }?.meta
            #expect(meta?["reason"]?.stringValue == "rollback")
        }
    }

    @Test func aVercelDeploymentDeletedByRetentionIsExpired() async throws {
        try await VercelHarness.with { h in
            let deployer = h.deployer()
            let id = try await deployer.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r1"))
            #expect(try await deployer.waitForTerminal(id, of: .frontend, policy: Fixture.wait).status == .ready)
            #expect(try await deployer.rollbackReadiness(of: id, service: .frontend).state == .ready)

            h.emulator.expireDeployment(id.rawValue)
            let readiness = try await deployer.rollbackReadiness(of: id, service: .frontend)
            #expect(readiness.state == .expired)
            #expect(readiness.detail.contains("410"))
        }
    }

    @Test func aDeployerThatCannotTellReportsUnknown() async throws {
        struct Minimal: PlatformDeployer {
            var platform: Platform { .vercel }
            var services: Set<ServiceName> { [.frontend] }
            func observe(_ service: ServiceName) async throws -> ObservedDeployment? { nil }
            func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment { throw CancellationError() }
            func deploy(_ request: DeployRequest) async throws -> DeploymentID { "x" }
            func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment { throw CancellationError() }
            func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID { id }
            func variables(of service: ServiceName) async throws -> [ObservedVariable] { [] }
            func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {}
            func topology() async throws -> PlatformTopology { throw CancellationError() }
            func autoDeploy(of service: ServiceName) async throws -> AutoDeployState { throw CancellationError() }
            func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState { throw CancellationError() }
        }
        let minimal = Minimal()
        #expect(try await minimal.rollbackReadiness(of: "x", service: .frontend).state == .unknown)
        #expect(try await minimal.deploymentCreatedByRollback(of: .frontend, since: nil) == nil)
        #expect(try await minimal.configurationChangeToken() == nil)
    }
}
