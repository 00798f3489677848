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
/// status document, history and the plan. None may appear.
@Suite struct SecretCanaryTests {
    @Test func noTokenOrSecretValueReachesLogsStatusHistoryOrPlan() async throws {
        let capture = LogCapture()
        let logger = Logger(label: "canary") { ClipnetLogHandler(label: $0, format: .json, level: .trace, sink: capture.sink) }
        try await Scenario.with(logger: logger) { world in
            try world.commit("Good")
            try await world.settle()
            let bad = try world.commit("Bad")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            world.sandbox.railway.setVariables(
                ["DATABASE_URL": "postgresql://intruder:hunter2@db.example:5432/x"],
                serviceId: world.sandbox.manifest.railway.services.api.serviceId, environmentId: world.sandbox.manifest.railway.environmentId)
            try await world.settle()
            let plan = try await world.daemon.plan()

            let secrets =
                world.sandbox.environment.filter { key, _ in
                    key.hasSuffix("TOKEN") || key.hasPrefix("STAGING_") || ["RUNPOD_API_KEY", "CLOUDINARY_URL"].contains(key)
                }.values.filter { $0.count >= 8 } + [world.sandbox.cloudinary.configuration.apiSecret]  // checked by the inventory's folder probe
            #expect(secrets.count >= 8, "the canary must look for the tokens and every staging secret")
            let status = String(decoding: try StatusDocument.encoder().encode(world.daemon.status().document), as: UTF8.self)
            let history = String(decoding: try ContractJSON.encoder().encode(try await world.daemon.history(limit: 100)), as: UTF8.self)
            let planText = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
            let logs = capture.lines.joined(separator: "\n")
            #expect(!logs.isEmpty)
            for secret in secrets {
                #expect(!logs.contains(secret), "a secret value is in the logs")
                #expect(!status.contains(secret), "a secret value is in /status")
                #expect(!history.contains(secret), "a secret value is in history")
                #expect(!planText.contains(secret), "a secret value is in the plan")
            }
            #expect(
                !logs.contains("hunter2") && !status.contains("hunter2") && !history.contains("hunter2"), "a live value read from a platform leaked")
        }
    }
}
