import ClipnetContracts
import CoreMetrics
import Deployers
import Foundation
import MetricsTestKit
import PlatformEmulators
import TestSupport
import Testing

@Suite struct TransportBehaviourTests {
    @Test func rateLimitWithRetryAfterSecondsIsWaitedOutAndRetried() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "1"), count: 1)
            _ = try await h.deployer().topology()
            #expect(h.log.all.map(\.status) == [429, 200])
        }
    }

    @Test func rateLimitWithRetryAfterHTTPDateIsWaitedOutAndRetried() async throws {
        try await RailwayHarness.with { h in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            h.faults.inject(.rateLimit(retryAfter: formatter.string(from: Date().addingTimeInterval(1))), count: 2)
            _ = try await h.deployer().topology()
            #expect(h.log.all.map(\.status) == [429, 429, 200])
        }
    }

    @Test func retryAfterBeyondTheCapFailsAsRetryableRateLimit() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.rateLimit(retryAfter: "3600"), count: 1)
            let error = await #expect(throws: DeployerError.self) { try await h.deployer().topology() }
            #expect(error?.code == .rateLimited)
            #expect(error?.isRetryable == true)
            #expect(h.log.all.count == 1)
        }
    }

    @Test func serverErrorBurstIsRetriedThenSucceeds() async throws {
        try await RailwayHarness.with { h in
            h.faults.inject(.serverError(status: 503), count: 3)
            let topology = try await h.deployer(maxAttempts: 5).topology()
            #expect(topology.services.count == 2)
            #expect(h.log.all.map(\.status) == [503, 503, 503, 200])
        }
    }

    @Test func attemptsAreBoundedThenRetriesExhausted() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.serverError(status: 502), count: 10)
            let error = await #expect(throws: DeployerError.self) { try await h.deployer(maxAttempts: 3).topology() }
            #expect(error?.code == .retriesExhausted)
            #expect(error?.isRetryable == false)
            #expect(error?.httpStatus == 502)
            #expect(h.log.all.count == 3)
        }
    }

    @Test func createIsNotBlindlyRetriedAfterAServerError() async throws {
        try await VercelHarness.with { h in
            h.faults.inject(.serverError(status: 500), count: 10, matching: "/v13/deployments")
            let error = await #expect(throws: DeployerError.self) {
                try await h.deployer(maxAttempts: 3).deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            }
            #expect(error?.code == .serverError)
            // Every create attempt was preceded by a lookup; no blind repeat of the create itself.
            let calls = h.log.all.filter { $0.path.contains("deployments") }.map { "\($0.method) \($0.path)" }
            #expect(calls == Array(repeating: ["GET /v7/deployments", "POST /v13/deployments"], count: 3).flatMap { $0 })
        }
    }

    @Test func requestTimeoutOnAReadIsRetried() async throws {
        try await RailwayHarness.with { h in
            h.faults.inject(.delay(milliseconds: 1500), count: 1)
            var deployer = h.deployer()
            var configuration = deployer.configuration
            configuration.transport.requestTimeout = .milliseconds(500)
            deployer = RailwayDeployer(configuration: configuration, client: Fixture.client, logger: Fixture.quietLogger)
            _ = try await deployer.topology()
            #expect(h.log.all.count == 2)
        }
    }

    @Test func refusedConnectionsEndInRetriesExhausted() async throws {
        let port = try UnusedLoopbackPort.make()
        let configuration = RailwayConfiguration(
            baseURL: "http://127.0.0.1:\(port)", token: .account(Fixture.railwayToken), projectId: "p", environmentId: "e",
            services: [.api: .init(serviceId: "s")], transport: Fixture.transport(maxAttempts: 3)
        )
        let error = await #expect(throws: DeployerError.self) {
            try await RailwayDeployer(configuration: configuration, client: Fixture.client, logger: Fixture.quietLogger).topology()
        }
        #expect(error?.code == .retriesExhausted)
        #expect(error?.message.contains("couldNotConnect") == true)
    }

    @Test func metricsCountEveryAttemptByPlatformOperationAndStatus() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            try await VercelHarness.with { h in
                h.faults.inject(.serverError(status: 503), count: 1)
                _ = try await h.deployer().topology()
            }
        }
        let failed = try metrics.expectCounter(
            "platform_api_requests_total", [("platform", "vercel"), ("operation", "getProject"), ("status", "503")])
        let succeeded = try metrics.expectCounter(
            "platform_api_requests_total", [("platform", "vercel"), ("operation", "getProject"), ("status", "200")])
        #expect(failed.totalValue == 1)
        #expect(succeeded.totalValue == 1)
        let timer = try metrics.expectTimer("platform_api_request_duration_seconds", [("platform", "vercel"), ("operation", "getProject")])
        #expect(timer.values.count == 2)
    }

    @Test func tokensAndSecretValuesNeverReachErrorsOrLogs() async throws {
        let capture = CapturingLogHandler()
        var errors: [String] = []
        try await VercelHarness.with { h in
            h.faults.inject(.serverError(status: 500), count: 10, matching: "/v9/projects")
            h.emulator.failEnvUpsert(key: "OAUTH_SECRET")
            let vercel = h.deployer(logger: capture.logger)
            for operation in [
                { _ = try await vercel.topology() },
                { try await vercel.upsertVariables([DesiredVariable(key: "OAUTH_SECRET", value: "canary-secret-value-991")], for: .frontend) },
                { _ = try await h.deployer(token: Fixture.vercelToken + "-revoked", logger: capture.logger).observe(.frontend) },
            ] as [@Sendable () async throws -> Void] {
                do { try await operation() } catch { errors.append("\(error) \(String(reflecting: error))") }
            }
        }
        try await RailwayHarness.with { h in
            h.faults.inject(.serverError(status: 503), count: 10)
            let railway = h.deployer(logger: capture.logger)
            do {
                try await railway.upsertVariables([DesiredVariable(key: "DB", value: "canary-secret-value-991")], for: .api)
            } catch { errors.append("\(error) \(String(reflecting: error))") }
        }
        #expect(errors.count == 4)
        let everything = errors.joined(separator: "\n") + capture.text
        for secret in [Fixture.vercelToken, Fixture.railwayToken, "canary-secret-value-991"] {
            #expect(!everything.contains(secret))
        }
        #expect(capture.text.contains("retrying"))
    }
}
