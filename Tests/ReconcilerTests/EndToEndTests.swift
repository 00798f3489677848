import AsyncPrimitives
import ClipnetContracts
import ClipnetJSON
import Crypto
import Foundation
import HTTPTransport
import KnownGoodStore
import PlatformEmulators
import Prometheus
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import ServiceLifecycle
import StagingSandbox
import Synchronization
import TestSupport
import Testing

/// The daemon as it runs in production (watcher, loop and operator server in one service group)
/// driven only from outside: a GitHub webhook and the `reconciler` command line.
@Suite(.serialized) struct EndToEndTests {
    /// A scenario's daemon running its services and the operator server on a free port.
    final class Running: Sendable {
        let port: Int
        let group: ServiceGroup
        let task: Task<Void, any Error>

        init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
            self.port = port
            self.group = group
            self.task = task
        }

        static func start(_ world: Scenario, webhookSecret: String, platformWebhookSecrets: [Platform: String] = [:]) async throws -> Running {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = OperatorServer.makeApplication(
                control: world.daemon,
                configuration: .init(
                    host: "127.0.0.1", port: 0, operatorToken: Self.token, webhookSecret: webhookSecret,
                    platformWebhookSecrets: platformWebhookSecrets),
                registry: Self.registry, logger: Scenario.quietLogger, onListening: { continuation.yield($0) })
            let group = ServiceGroup(
                configuration: .init(
                    services: world.daemon.services + [.init(service: server)], gracefulShutdownSignals: [], cancellationSignals: [],
                    logger: Scenario.quietLogger))
            let task = Task { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ScenarioError("the operator server did not start") }
            return Running(port: port, group: group, task: task)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = await task.result
        }

        static let token = "end-to-end-operator-token-0123456789"
        /// A registry of its own: the test process never bootstraps swift-metrics globally.
        static let registry = PrometheusCollectorRegistry()
    }

    @Test func aSignedPushWebhookRollsTheCommitOutAndTheCLIRollsItBackAndWaits() async throws {
        try await Scenario.with { world in
            let secret = "end-to-end-webhook-secret"
            let running = try await Running.start(world, webhookSecret: secret)
            let server = "http://127.0.0.1:\(running.port)"
            let first = try world.commit("First")
            // A hang guard, not a timing check: the first group of the suite loads both cores.
            #expect(await eventually(within: .seconds(180)) { world.daemon.status().document.knownGood?.revision == first })

            // A push: GitHub's webhook, signed, makes the daemon fetch at once
            let second = try world.commit("Second")
            let body = Array(#"{"ref":"refs/heads/develop","after":"\#(second)"}"#.utf8)
            let signature =
                "sha256="
                + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            let runtime = try CurlRuntime()
            let response = try await HTTPClient(runtime: runtime).send(
                HTTPRequest(
                    method: .post, url: "\(server)/webhooks/github",
                    headers: ["Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature], body: body))
            #expect(response.isSuccess, "\(response.status) \(response.text)")
            #expect(await eventually(within: .seconds(180)) { world.daemon.status().document.knownGood?.revision == second })
            #expect(world.apiRevision == second)

            // The on-call engineer rolls back from the command line and waits for it
            var environment = ProcessInfo.processInfo.environment
            environment["RECONCILER_TOKEN"] = Running.token
            let rollback = try await Spawn.run(
                ChildProcess.productPath("reconciler"),
                ["rollback", "--reason", "end-to-end drill", "--wait", "--wait-timeout", "120", "--server", server, "--by", "oncall"],
                environment: environment)
            #expect(rollback.status == 0, "\(rollback.stdout)\n\(rollback.stderr)")
            #expect(rollback.stdout.contains("rolling back to \(first)"))
            #expect(rollback.stdout.contains("settled"), "\(rollback.stdout)")
            #expect(world.apiRevision == first)
            #expect(world.frontendRevision == first)
            let status = try await Spawn.run(ChildProcess.productPath("reconciler"), ["status", "--server", server], environment: environment)
            #expect(status.status == 0)
            #expect(status.stdout.contains(String(first.prefix(12))))
            await running.stop()
        }
    }

    @Test func platformWebhooksMoveARolloutOnWithoutWaitingForThePoll() async throws {
        // Polls ten minutes apart: only the platforms' deployment webhooks can move the rollouts
        // on within the test's bound (the branch is still watched every 200 ms).
        // The worker's version comes from its deployment record (no heartbeats to wait for).
        try await Scenario.with(
            heartbeats: false,
            configure: {
                $0.replacingOccurrences(of: "rolloutPollInterval: 50ms", with: "rolloutPollInterval: 10m")
                    .replacingOccurrences(of: "driftInterval: 2s", with: "driftInterval: 10m")
            }
        ) { world in
            #expect(world.configurationText.contains("rolloutPollInterval: 10m"))
            let environment = world.sandbox.environment
            let running = try await Running.start(
                world, webhookSecret: "unused",
                platformWebhookSecrets: [.vercel: environment["VERCEL_WEBHOOK_SECRET"]!, .railway: environment["RAILWAY_WEBHOOK_TOKEN"]!])
            try world.sandbox.sendPlatformWebhooks(to: "http://127.0.0.1:\(running.port)")
            let first = try world.commit("First")
            // A hang guard well under the ten-minute poll, not a timing check.
            #expect(await eventually(within: .seconds(240)) { world.daemon.status().document.knownGood?.revision == first })
            let second = try world.commit("Second")
            #expect(await eventually(within: .seconds(240)) { world.daemon.status().document.knownGood?.revision == second })
            #expect(world.apiRevision == second)
            #expect(world.frontendRevision == second)
            #expect(world.sandbox.vercel.webhooksSent >= 2)
            #expect(world.sandbox.railway.webhooksSent >= 4)
            // The timeline shows every phase the rollout went through, in order.
            let timeline = try #require(world.daemon.status().document.rollout?.timeline)
            #expect(
                timeline.map(\.phase) == [.syncVariables, .deployBackend, .verifyBackend, .deployFrontend, .healthGate, .markKnownGood, .succeeded])
            await running.stop()
        }
    }
}
