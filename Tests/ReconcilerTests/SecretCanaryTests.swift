import ClipnetConfig
import ClipnetContracts
import ClipnetLogging
import Foundation
import KnownGoodStore
import Logging
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// Every token and secret value the daemon holds is looked for, after a rollout, a failed rollout
/// rolled back, drift healing and a plan, in everything it says: its logs at trace level, the
/// status document, history, the plan, and what it sent to Slack, the signed webhook and GitHub.
/// None may appear.
@Suite struct SecretCanaryTests {
    @Test func noTokenOrSecretValueReachesLogsStatusHistoryOrPlan() async throws {
        let capture = LogCapture()
        let logger = Logger(label: "canary") { ClipnetLogHandler(label: $0, format: .json, level: .trace, sink: capture.sink) }
        try await Scenario.with(notifications: true, github: true, logger: logger) { world in
            let github = try #require(world.sandbox.github)
            let good = try world.commit("Good")
            github.pass(good)
            try await world.settle()
            let bad = try world.commit("Bad")
            github.pass(bad)
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            world.sandbox.railway.setVariables(
                ["DATABASE_URL": "postgresql://intruder:hunter2@db.example:5432/x"],
                serviceId: world.sandbox.manifest.railway.services.api.serviceId, environmentId: world.sandbox.manifest.railway.environmentId)
            try await world.settle()
            let plan = try await world.daemon.plan()

            let secrets =
                world.sandbox.environment.filter { key, _ in
                    key.hasSuffix("TOKEN") || key.hasSuffix("SECRET") || key.hasPrefix("STAGING_")
                        || ["RUNPOD_API_KEY", "CLOUDINARY_URL"].contains(key)
                }.values.filter { $0.count >= 8 } + [world.sandbox.cloudinary.configuration.apiSecret]  // checked by the inventory's folder probe
            #expect(secrets.count >= 8, "the canary must look for the tokens and every staging secret")
            let status = String(decoding: try StatusDocument.encoder().encode(world.daemon.status().document), as: UTF8.self)
            let history = String(decoding: try ContractJSON.encoder().encode(try await world.daemon.history(limit: 100)), as: UTF8.self)
            let planText = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
            let logs = capture.lines.joined(separator: "\n")
            #expect(!logs.isEmpty)
            let notifications = try #require(world.sandbox.notifications)
            let sent =
                (notifications.slack.messages.flatMap { [$0.text] + $0.edits }
                + notifications.sink.received.map { String(decoding: $0.body, as: UTF8.self) }
                + github.server.host.log.all.map { String(decoding: $0.body, as: UTF8.self) })
                .joined(separator: "\n")
            #expect(notifications.slack.messages.count >= 2 && github.emulator.deployments.count >= 2, "the channels were used")
            for secret in secrets {
                #expect(!logs.contains(secret), "a secret value is in the logs")
                #expect(!status.contains(secret), "a secret value is in /status")
                #expect(!history.contains(secret), "a secret value is in history")
                #expect(!planText.contains(secret), "a secret value is in the plan")
                #expect(!sent.contains(secret), "a secret value was sent to Slack, the webhook or GitHub")
            }
            #expect(
                !logs.contains("hunter2") && !status.contains("hunter2") && !history.contains("hunter2"), "a live value read from a platform leaked")
        }
    }
}
