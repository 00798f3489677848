import ClipnetContracts
import ClipnetJSON
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

/// `POST /webhooks/vercel` and `POST /webhooks/railway`: authenticated platform events wake a pass
/// only when they may concern the rollout in flight; anything unauthenticated is refused before
/// its body is read, and no secret is echoed.
@Suite struct PlatformWebhookTests {
    static let vercelSecret = "vercel-webhook-canary-6b1f0e3d"
    static let railwayToken = "railway-webhook-canary-9a4c2e71"
    static let frontendBuild = "dpl_FrontendBuildOfTheRollout"
    static let apiBuild = "5a1c9e3f-7b2d-4f6a-8c0e-3d9b1f5a7c26"
    static let workerBuild = "9d0e2b7c-1f4a-4c3e-b6d8-2a7f5c0e1b93"

    static var configuration: OperatorServerConfiguration {
        OperatorServerConfiguration(
            operatorToken: Harness.token, webhookSecret: Harness.secret,
            platformWebhookSecrets: [.vercel: vercelSecret, .railway: railwayToken], maximumBodySize: 4096)
    }

    /// A control whose rollout is building all three services.
    static func building() -> FakeReconcilerControl {
        let control = FakeReconcilerControl()
        control.update { model in
            model.state.rollout?.phase = .deployBackend
            model.state.rollout?.deployments = ServiceDeployments(frontend: frontendBuild, api: apiBuild, worker: workerBuild)
        }
        return control
    }

    static func vercelEvent(_ type: String, deployment: String) -> String {
        #"{"id":"evt_1","type":"\#(type)","createdAt":1765100000000,"payload":{"deployment":{"id":"\#(deployment)","url":"x.vercel.app"},"project":{"id":"prj_1"},"target":"production"}}"#
    }

    static func railwayEvent(_ type: String, deployment: String) -> String {
        #"{"type":"\#(type)","timestamp":"2026-12-07T14:00:00Z","details":{"id":"\#(deployment)","status":"SUCCESS"},"resource":{"deployment":{"id":"\#(deployment)"}}}"#
    }

    /// Vercel's signature computed independently of the server: hex HMAC-SHA1, no prefix.
    static func vercelSignature(_ body: String, secret: String = vercelSecret) -> String {
        HMAC<Insecure.SHA1>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func vercelHeaders(_ signature: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let signature { fields[HTTPField.Name("x-vercel-signature")!] = signature }
        return fields
    }

    @Test func aSignedVercelEventAboutTheRolloutsBuildWakesAPass() async throws {
        let control = Self.building()
        let body = Self.vercelEvent("deployment.ready", deployment: Self.frontendBuild)
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let response = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(Self.vercelSignature(body)), body: Harness.body(body))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == true)
        }
        #expect(control.calls == [.platformEvent(PlatformEvent(platform: .vercel, type: "deployment.ready", deploymentID: Self.frontendBuild))])
    }

    @Test func aVercelEventAboutAnotherDeploymentIsAnsweredButWakesNothing() async throws {
        let control = Self.building()
        let body = Self.vercelEvent("deployment.ready", deployment: "dpl_ProductionsOwnBuild")
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let response = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(Self.vercelSignature(body)), body: Harness.body(body))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == false)
            #expect(response.text.contains("ignored"))
        }
    }

    @Test(arguments: [nil, "0000", vercelSignature("{}"), vercelSignature("x", secret: "another-secret")])
    func aVercelEventWithoutTheRightSignatureIsRefusedUnread(_ signature: String?) async throws {
        let control = Self.building()
        let body = Self.vercelEvent("deployment.ready", deployment: Self.frontendBuild)
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let response = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(signature), body: Harness.body(body))
            #expect(response.status == .unauthorized)
            #expect(response.json?["error"]?["code"] == (signature == nil ? "missing_signature" : "invalid_signature"))
            #expect(!response.text.contains(Self.vercelSecret))
        }
        #expect(control.calls.isEmpty)
    }

    @Test func withoutAConfiguredSecretThePlatformEndpointsAreForbidden() async throws {
        let body = Self.vercelEvent("deployment.ready", deployment: Self.frontendBuild)
        try await Harness.test(control: Self.building()) { client in
            let vercel = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(Self.vercelSignature(body)), body: Harness.body(body))
            #expect(vercel.status == .forbidden)
            #expect(vercel.json?["error"]?["code"] == "webhook_secret_not_configured")
            let railway = try await client.execute(
                uri: "/webhooks/railway?token=anything", method: .post, headers: [.contentType: "application/json"], body: Harness.body("{}"))
            #expect(railway.status == .forbidden)
        }
    }

    @Test func aRailwayEventWithTheURLTokenAboutTheRolloutsBuildWakesAPass() async throws {
        let control = Self.building()
        let body = Self.railwayEvent("Deployment.deployed", deployment: Self.workerBuild)
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let response = try await client.execute(
                uri: "/webhooks/railway?token=\(Self.railwayToken)", method: .post, headers: [.contentType: "application/json"],
                body: Harness.body(body))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == true)
        }
        #expect(control.calls == [.platformEvent(PlatformEvent(platform: .railway, type: "Deployment.deployed", deploymentID: Self.workerBuild))])
    }

    @Test(arguments: ["", "?token=", "?token=railway-webhook-canary-9a4c2e7", "?token=railway-webhook-canary-9a4c2e711"])
    func aRailwayEventWithoutTheRightTokenIsRefused(_ query: String) async throws {
        let control = Self.building()
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let response = try await client.execute(
                uri: "/webhooks/railway\(query)", method: .post, headers: [.contentType: "application/json"],
                body: Harness.body(Self.railwayEvent("Deployment.deployed", deployment: Self.workerBuild)))
            #expect(response.status == .unauthorized)
            #expect(!response.text.contains(Self.railwayToken))
        }
        #expect(control.calls.isEmpty)
    }

    @Test func aMalformedEventIsA400AndNotADeploymentEventIsIgnored() async throws {
        let control = Self.building()
        try await Harness.test(control: control, configuration: Self.configuration) { client in
            let broken = #"{"type": "#
            let bad = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(Self.vercelSignature(broken)), body: Harness.body(broken))
            #expect(bad.status == .badRequest)
            let project = #"{"type":"project.created","payload":{}}"#
            let other = try await client.execute(
                uri: "/webhooks/vercel", method: .post, headers: Self.vercelHeaders(Self.vercelSignature(project)), body: Harness.body(project))
            #expect(other.status == .accepted)
            #expect(other.json?["accepted"] == false)
        }
        #expect(control.calls.isEmpty)
    }
}
