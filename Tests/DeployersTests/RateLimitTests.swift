import ClipnetContracts
import Deployers
import Foundation
import PlatformEmulators
import Testing

/// `Retry-After` of any length is honoured, and a rate limit is a reason to wait, never a failure.
@Suite struct RateLimitTests {
    @Test func aLongRetryAfterTravelsInTheErrorAndTheRequestIsNotRepeatedEarlier() async throws {
        try await RailwayHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "600"), count: 1)
            let deployer = h.deployer()
            let error = await #expect(throws: DeployerError.self) { try await deployer.topology() }
            #expect(error?.code == .rateLimited)
            #expect(error?.isRateLimited == true)
            #expect(error?.retryAfter == .seconds(600))
            #expect(h.log.all.count == 1)

            // Reconcile passes calling again at once, with the same deployer or one built for the
            // next pass: refused locally, nothing sent.
            for index in 0..<20 {
                let again = await #expect(throws: DeployerError.self) { try await (index % 2 == 0 ? deployer : h.deployer()).observe(.api) }
                #expect(again?.code == .rateLimited)
                #expect((again?.retryAfter ?? .zero) > .seconds(590))
            }
            #expect(h.log.all.count == 1)
        }
    }

    @Test func vercelLimitsOneEndpointWithoutStoppingTheOthers() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "600"), count: 1, matching: "/v9/projects")
            let deployer = h.deployer()
            let error = await #expect(throws: DeployerError.self) { try await deployer.topology() }
            #expect(error?.retryAfter == .seconds(600))
            _ = try await deployer.variables(of: .frontend)
            await #expect(throws: DeployerError.self) { try await deployer.topology() }
            #expect(h.log.requests("GET", "/v9/projects/\(Fixture.vercelProject)").count == 1)
            #expect(h.log.requests("GET", "/v10/projects/\(Fixture.vercelProject)/env").count == 1)
        }
    }

    @Test func aRateLimitThatOutlastsTheAttemptsIsRateLimitedNotExhausted() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "0"), count: 10)
            let error = await #expect(throws: DeployerError.self) { try await h.deployer(maxAttempts: 3).topology() }
            #expect(error?.code == .rateLimited)
            #expect(error?.isRetryable == true)
            #expect(error?.retryAfter == .zero)
            #expect(h.log.all.count == 3)
        }
    }

    @Test func aRetryAfterTooLargeToRepresentIsAVeryLongWaitNotAQuickRetry() async throws {
        try await RailwayHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "99999999999999999999999"), count: 5)
            let error = await #expect(throws: DeployerError.self) { try await h.deployer().topology() }
            #expect(error?.code == .rateLimited)
            #expect((error?.retryAfter ?? .zero) > .seconds(86_400 * 365))
            #expect(h.log.all.count == 1)
        }
    }
}
