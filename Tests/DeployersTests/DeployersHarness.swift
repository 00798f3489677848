import AsyncPrimitives
import ClipnetContracts
import Deployers
import Foundation
import HTTPTransport
import Logging
import PlatformEmulators
import Synchronization

/// Shared fixtures: emulators seeded with the CLIPNET staging shape, and clients pointed at them
/// with short retry timings (the tests assert on outcomes and request counts, never on time).
enum Fixture {
    static let vercelToken = "vercel-canary-token-5d1e9a7c3b"
    static let railwayToken = "railway-canary-token-8b2f4e6a0c"
    static let railwayProjectToken = "railway-project-canary-3c7a9e1f"
    static let teamId = "team_clipnet"
    static let org = "clipnet"
    static let repo = "clipnet"
    static let alias = "staging.clipnet.ai"
    static let vercelProject = "prj_frontend"
    static let railwayProject = "rp-clipnet"
    static let staging = "env-staging"
    static let production = "env-production"
    static let apiService = "svc-api"
    static let workerService = "svc-worker"
    static let shaA = String(repeating: "a1", count: 20)
    static let shaB = String(repeating: "b2", count: 20)
    static let shaC = String(repeating: "c3", count: 20)
    static let unknownSha = String(repeating: "ee", count: 20)

    static let runtime: CurlRuntime = try! CurlRuntime()
    static let client = HTTPClient(runtime: runtime)

    static func transport(maxAttempts: Int = 4) -> TransportConfiguration {
        TransportConfiguration(
            connectTimeout: .seconds(10), requestTimeout: .seconds(30), maxAttempts: maxAttempts,
            backoff: Backoff(initial: .milliseconds(5), maximum: .milliseconds(40), multiplier: 2, jitter: 0.2),
            maximumRetryAfter: .seconds(5), retryAfterJitter: .milliseconds(20)
        )
    }

    /// Retries are expected in these tests; only errors are worth printing.
    static let quietLogger: Logger = {
        var logger = Logger(label: "deployers.test")
        logger.logLevel = .error
        return logger
    }()

    static let wait = WaitPolicy(
        deadline: .seconds(10), backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(60), multiplier: 1.5, jitter: 0.1))
}

/// A running Vercel emulator and a client for it.
struct VercelHarness {
    let emulator: VercelEmulator
    let server: EmulatorServer
    var log: RequestLog { server.host.log }
    var faults: FaultInjector { server.host.faults }

    func deployer(
        token: String = Fixture.vercelToken, maxAttempts: Int = 4, logger: Logger? = nil, target: VercelConfiguration.Target = .preview,
        requestCounter: PlatformRequestCounter? = nil
    ) -> VercelDeployer {
        let configuration = VercelConfiguration(
            baseURL: server.baseURL, token: token, teamId: Fixture.teamId, projectId: Fixture.vercelProject, projectName: "clipnet-web",
            gitOrg: Fixture.org, gitRepo: Fixture.repo, gitRef: "develop", alias: Fixture.alias, target: target,
            transport: Fixture.transport(maxAttempts: maxAttempts)
        )
        return VercelDeployer(
            configuration: configuration, client: Fixture.client, logger: logger ?? Fixture.quietLogger, requestCounter: requestCounter)
    }

    /// - Parameter customEnvironments: custom environments of the project (`staging` by default).
    static func with<T>(
        envPageSize: Int = 20, customEnvironments: [String] = ["staging"], _ body: (VercelHarness) async throws -> T
    ) async throws -> T {
        let emulator = VercelEmulator(
            configuration: .init(
                token: Fixture.vercelToken, teamId: Fixture.teamId, timings: .init(queued: .milliseconds(20), building: .milliseconds(60)),
                envPageSize: envPageSize
            ))
        emulator.addProject(id: Fixture.vercelProject, name: "clipnet-web", org: Fixture.org, repo: Fixture.repo)
        for slug in customEnvironments { emulator.addCustomEnvironment(project: Fixture.vercelProject, slug: slug) }
        for sha in [Fixture.shaA, Fixture.shaB, Fixture.shaC] {
            emulator.registerCommit(sha, branch: "develop", org: Fixture.org, repo: Fixture.repo)
        }
        let server = try await emulator.start()
        do {
            let result = try await body(VercelHarness(emulator: emulator, server: server))
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// A running Railway emulator (api from git, worker from git or an image) and a client for it.
struct RailwayHarness {
    let emulator: RailwayEmulator
    let server: EmulatorServer
    let workerImage: String?
    var log: RequestLog { server.host.log }
    var faults: FaultInjector { server.host.faults }

    func deployer(
        token: RailwayConfiguration.Token = .account(Fixture.railwayToken), maxAttempts: Int = 4, logger: Logger? = nil,
        requestCounter: PlatformRequestCounter? = nil
    ) -> RailwayDeployer {
        let configuration = RailwayConfiguration(
            baseURL: server.baseURL, token: token, projectId: Fixture.railwayProject, environmentId: Fixture.staging,
            services: [
                .api: .init(serviceId: Fixture.apiService),
                .worker: .init(serviceId: Fixture.workerService, source: workerImage.map { .image(repository: $0) } ?? .git),
            ],
            transport: Fixture.transport(maxAttempts: maxAttempts)
        )
        return RailwayDeployer(
            configuration: configuration, client: Fixture.client, logger: logger ?? Fixture.quietLogger, requestCounter: requestCounter)
    }

    static func with<T>(
        workerImage: String? = nil, imageRetention: Duration = .seconds(72 * 3600), connectionPageSize: Int = 50,
        _ body: (RailwayHarness) async throws -> T
    ) async throws -> T {
        let emulator = RailwayEmulator(
            configuration: .init(
                accountTokens: [Fixture.railwayToken],
                projectTokens: [Fixture.railwayProjectToken: (Fixture.railwayProject, Fixture.staging)],
                timings: .init(initializing: .milliseconds(15), building: .milliseconds(40), deploying: .milliseconds(20)),
                imageRetention: imageRetention, connectionPageSize: connectionPageSize
            ))
        emulator.addProject(
            id: Fixture.railwayProject, name: "clipnet", environments: [(Fixture.staging, "staging"), (Fixture.production, "production")])
        emulator.addService(
            id: Fixture.apiService, name: "api", projectId: Fixture.railwayProject, repo: "\(Fixture.org)/\(Fixture.repo)", branch: "develop")
        if let workerImage {
            emulator.addService(
                id: Fixture.workerService, name: "worker", projectId: Fixture.railwayProject, image: "\(workerImage):old", autoDeploy: false)
        } else {
            emulator.addService(
                id: Fixture.workerService, name: "worker", projectId: Fixture.railwayProject, repo: "\(Fixture.org)/\(Fixture.repo)",
                branch: "develop")
        }
        for sha in [Fixture.shaA, Fixture.shaB, Fixture.shaC] {
            emulator.registerCommit(sha, branch: "develop", repo: "\(Fixture.org)/\(Fixture.repo)")
        }
        let server = try await emulator.start()
        do {
            let result = try await body(RailwayHarness(emulator: emulator, server: server, workerImage: workerImage))
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}
