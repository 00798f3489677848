import ClipnetContracts
import Deployers
import Foundation
import PlatformEmulators
import Testing

/// What the reconciler needs to live within a platform's request budget: counts of requests sent,
/// and one cheap request that tells whether anything changed.
@Suite struct RequestBudgetTests {
    @Test func everyRequestSentIsCountedPerPlatformRetriesIncluded() async throws {
        try await RailwayHarness.with { h in
            let counter = PlatformRequestCounter(platform: .railway)
            h.faults.inject(.serverError(status: 503), count: 2)
            let deployer = h.deployer(requestCounter: counter)
            _ = try await deployer.topology()
            _ = try await deployer.observe(.api)
            #expect(counter.total == h.log.all.count)
            #expect(counter.requestsInLastHour() == h.log.all.count)
            #expect(counter.requestsInLastHour(at: Date().addingTimeInterval(2 * 3600)) == 0)
        }
    }

    @Test func aRequestRefusedLocallyWhileRateLimitedIsNotCounted() async throws {
        try await VercelHarness.with { h in
            let counter = PlatformRequestCounter(platform: .vercel)
            h.faults.inject(.rateLimit(retryAfter: "900"), count: 1)
            let deployer = h.deployer(requestCounter: counter)
            for _ in 0..<3 { await #expect(throws: DeployerError.self) { try await deployer.topology() } }
            #expect(counter.total == 1)
        }
    }

    @Test func railwayConfigEtagChangesWithTheConfigurationOnly() async throws {
        try await RailwayHarness.with { h in
            let deployer = h.deployer()
            let before = try #require(try await deployer.configurationChangeToken())
            let deployment = try await deployer.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r1"))
            _ = try await deployer.waitForTerminal(deployment, of: .api, policy: Fixture.wait)
            #expect(try await deployer.configurationChangeToken() == before)

            try await deployer.upsertVariables([DesiredVariable(key: "LOG_LEVEL", value: "debug", kind: .plain)], for: .worker)
            let after = try #require(try await deployer.configurationChangeToken())
            #expect(after != before)
            #expect(h.log.requests(operation: "environment").count == 3)
        }
    }

    @Test func vercelHasNoConfigurationToken() async throws {
        try await VercelHarness.with { h in
            let token = try await h.deployer().configurationChangeToken()
            #expect(token == nil)
            #expect(h.log.all.isEmpty)
        }
    }
}
