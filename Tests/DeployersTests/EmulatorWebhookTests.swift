import ClipnetContracts
import ClipnetJSON
import Crypto
import Deployers
import Foundation
import PlatformEmulators
import Synchronization
import Testing

/// The emulators push deployment events the way Vercel and Railway do, at the moment the state
/// changes: what the reconciler's webhook endpoints and the benchmark's reaction times rely on.
@Suite struct EmulatorWebhookTests {
    /// Collects deliveries; `next` waits for one (bounded, so a missing event fails, never hangs).
    final class Inbox: Sendable {
        private let received = Mutex<[WebhookDelivery]>([])
        var deliver: WebhookDeliver { { [self] delivery in received.withLock { $0.append(delivery) } } }
        var all: [WebhookDelivery] { received.withLock { $0 } }

        func wait(for count: Int, seconds: Double = 10) async throws -> [WebhookDelivery] {
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            while all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return all
        }
    }

    static func json(_ delivery: WebhookDelivery) -> JSONValue? { JSONValue.parse(delivery.body) }

    @Test func vercelSignsADeploymentReadyEventSentWhenTheBuildFinishes() async throws {
        try await VercelHarness.with { h in
            let inbox = Inbox()
            h.emulator.sendWebhooks(to: WebhookTarget(url: "http://127.0.0.1:9/webhooks/vercel", secret: "whsec_test", deliver: inbox.deliver))
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            let done = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            #expect(done.rawStatus == "READY")
            let delivery = try #require(try await inbox.wait(for: 1).first)
            #expect(delivery.url == "http://127.0.0.1:9/webhooks/vercel")
            let event = try #require(Self.json(delivery))
            #expect(event["type"]?.stringValue == "deployment.ready")
            #expect(event["payload"]?["deployment"]?["id"]?.stringValue == id.rawValue)
            #expect(event["payload"]?["project"]?["id"]?.stringValue == Fixture.vercelProject)
            let signature = delivery.headers.first { $0.0.lowercased() == "x-vercel-signature" }?.1
            let expected = HMAC<Insecure.SHA1>.authenticationCode(for: delivery.body, using: SymmetricKey(data: Array("whsec_test".utf8)))
                .map { String(format: "%02x", $0) }.joined()
            #expect(signature == expected)
        }
    }

    @Test func vercelSendsErrorForAFailedBuildAndCanceledInsteadOfReadyForACancelledOne() async throws {
        try await VercelHarness.with { h in
            let inbox = Inbox()
            h.emulator.sendWebhooks(to: WebhookTarget(url: "http://127.0.0.1:9/hook", secret: "s", deliver: inbox.deliver))
            h.emulator.failBuild(sha: Fixture.shaB)
            h.emulator.hangBuild(sha: Fixture.shaC)
            let vercel = h.deployer()
            let failed = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-1"))
            let hung = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-2"))
            _ = try await vercel.cancel(hung, of: .frontend)
            let events = try await inbox.wait(for: 2).compactMap(Self.json)
            let byDeployment = Dictionary(
                events.map { ($0["payload"]?["deployment"]?["id"]?.stringValue ?? "?", $0["type"]?.stringValue ?? "?") },
                uniquingKeysWith: { $0 + "," + $1 })
            #expect(byDeployment[failed.rawValue] == "deployment.error")
            #expect(byDeployment[hung.rawValue] == "deployment.canceled")
            // Nothing more arrives: each event is sent once.
            try await Task.sleep(for: .milliseconds(200))
            #expect(inbox.all.count == 2)
        }
    }

    @Test func railwaySendsAnUnsignedDeployedEventNamingTheDeploymentWhenItSucceeds() async throws {
        try await RailwayHarness.with { h in
            let inbox = Inbox()
            h.emulator.sendWebhooks(to: WebhookTarget(url: "http://127.0.0.1:9/webhooks/railway?token=t", deliver: inbox.deliver))
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait)
            let delivery = try #require(try await inbox.wait(for: 1).first)
            let event = try #require(Self.json(delivery))
            #expect(event["type"]?.stringValue == "Deployment.deployed")
            #expect(event["details"]?["id"]?.stringValue == id.rawValue)
            #expect(event["resource"]?["deployment"]?["id"]?.stringValue == id.rawValue)
            #expect(event["resource"]?["environment"]?["id"]?.stringValue == Fixture.staging)
            #expect(!delivery.headers.contains { $0.0.lowercased().contains("signature") })
        }
    }

    @Test func whatFinishedBeforeTheWebhookWasSetUpIsNotSent() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let old = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(old, of: .api, policy: Fixture.wait)
            let inbox = Inbox()
            h.emulator.sendWebhooks(to: WebhookTarget(url: "http://127.0.0.1:9/hook", deliver: inbox.deliver))
            let new = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(new, of: .worker, policy: Fixture.wait)
            let events = try await inbox.wait(for: 1).compactMap(Self.json)
            try await Task.sleep(for: .milliseconds(200))
            #expect(inbox.all.count == 1)
            #expect(events.first?["details"]?["id"]?.stringValue == new.rawValue)
        }
    }

    @Test func noEventIsSentBeforeTheStateChanges() async throws {
        try await VercelHarness.with { h in
            let inbox = Inbox()
            h.emulator.sendWebhooks(to: WebhookTarget(url: "http://127.0.0.1:9/hook", secret: "s", deliver: inbox.deliver))
            h.emulator.hangBuild(sha: Fixture.shaC)
            _ = try await h.deployer().deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-1"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(inbox.all.isEmpty)
        }
    }
}

/// The platforms' log endpoints as the deployers read them: the last lines, oldest first.
@Suite struct FailureLogReadTests {
    @Test func vercelGivesTheFailedBuildsLastLinesOldestFirst() async throws {
        try await VercelHarness.with { h in
            h.emulator.failBuild(sha: Fixture.shaB)
            h.emulator.setLogTail(sha: Fixture.shaB, ["first error", "Error: Command \"npm run build\" exited with 1"])
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaB, rolloutID: "r-1"))
            let failed = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            #expect(failed.rawStatus == "ERROR")
            #expect(failed.dashboardURL?.hasPrefix("https://vercel.com/") == true)
            let lines = try await vercel.failureLog(of: failed, service: .frontend, limit: 2)
            #expect(lines == ["first error", "Error: Command \"npm run build\" exited with 1"])
            let request = try #require(h.log.requests("GET", "/v3/deployments/\(id.rawValue)/events").last)
            #expect(
                request.queryValue("direction") == "backward" && request.queryValue("limit") == "2" && request.queryValue("teamId") == Fixture.teamId)
        }
    }

    @Test func railwayGivesABuildLogForAFailedBuildAndTheRuntimeLogForACrash() async throws {
        try await RailwayHarness.with { h in
            h.emulator.failBuild(revision: Fixture.shaB)
            h.emulator.setLogTail(revision: Fixture.shaB, ["error: build failed (exit code 1)"])
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-1"))
            let failed = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait)
            #expect(failed.rawStatus == "FAILED")
            let lines = try await railway.failureLog(of: failed, service: .api, limit: 50)
            #expect(lines.last == "error: build failed (exit code 1)")
            #expect(lines.first?.hasPrefix("==> Building") == true)
            #expect(h.log.requests(operation: "buildLogs").count == 1)
            // A deployment that built and then crashed: its runtime log.
            let crashed = ObservedDeployment(
                id: id, service: .api, platform: .railway, commitSha: Fixture.shaB, image: nil, status: .failed, rawStatus: "CRASHED", url: nil,
                createdAt: nil)
            _ = try await railway.failureLog(of: crashed, service: .api, limit: 5)
            #expect(h.log.requests(operation: "deploymentLogs").count == 1)
        }
    }

    @Test func railwayTimesEachStepOfADeploymentAndAFailedBuildSaysWhere() async throws {
        try await RailwayHarness.with { h in
            let railway = h.deployer()
            let id = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            let done = try await railway.waitForTerminal(id, of: .api, policy: Fixture.wait)
            let steps = try await railway.platformSteps(of: done, service: .api)
            #expect(steps.map(\.step) == ["SNAPSHOT_CODE", "BUILD_IMAGE", "CREATE_CONTAINER", "HEALTHCHECK"])
            #expect(steps.allSatisfy { $0.service == .api && $0.endedAt != nil })
            // One after the other, as the platform ran them.
            #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.endedAt! <= $1.startedAt.addingTimeInterval(0.001) })
            let request = try #require(h.log.requests(operation: "deploymentEvents").last)
            #expect(request.status == 200)

            h.emulator.failBuild(revision: Fixture.shaB)
            let bad = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            let failed = try await railway.waitForTerminal(bad, of: .api, policy: Fixture.wait)
            let failedSteps = try await railway.platformSteps(of: failed, service: .api)
            #expect(failedSteps.map(\.step) == ["SNAPSHOT_CODE", "BUILD_IMAGE"], "no container for a build that failed")
        }
    }

    @Test func vercelTimesTheQueueAndTheBuildFromTheDeploymentItself() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            let ready = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            let requests = h.log.all.count
            let steps = try await vercel.platformSteps(of: ready, service: .frontend)
            #expect(steps.map(\.step) == ["QUEUED", "BUILDING"])
            #expect(steps[0].endedAt == steps[1].startedAt)
            #expect(steps[1].endedAt == ready.readyAt && ready.readyAt != nil)
            #expect(h.log.all.count == requests, "read from the deployment already fetched: no request")
        }
    }
}
