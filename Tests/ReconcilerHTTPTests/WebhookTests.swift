import ClipnetContracts
import ClipnetJSON
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

@Suite struct WebhookTests {
    static let push =
        #"{"ref":"refs/heads/develop","before":"\#(SampleEnvironment.knownGood)","after":"\#(SampleEnvironment.head)","repository":{"full_name":"clipnet/clipnet"}}"#

    /// `sha256=<hex>` computed independently of the server's code.
    static func signature(_ body: String, secret: String = Harness.secret) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    static func headers(event: String, signature: String?) -> HTTPFields {
        var fields: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("X-GitHub-Event")!: event,
            HTTPField.Name("X-GitHub-Delivery")!: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        ]
        if let signature { fields[HTTPField.Name("X-Hub-Signature-256")!] = signature }
        return fields
    }

    @Test func aSignedPushToTheWatchedBranchTriggersAFetch() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(Self.push)),
                body: Harness.body(Self.push))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == true)
            #expect(response.json?["watchedBranch"] == true)
        }
        #expect(control.calls == [.push(ref: "refs/heads/develop", after: SampleEnvironment.head)])
    }

    @Test func aPushToAnotherBranchIsAnsweredAndIgnored() async throws {
        let body = #"{"ref":"refs/heads/feature/x","after":"\#(SampleEnvironment.featureRevision)"}"#
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(response.status == .ok)
            #expect(response.json?["accepted"] == false)
            #expect(response.json?["watchedBranch"] == false)
        }
        #expect(control.calls == [.push(ref: "refs/heads/feature/x", after: SampleEnvironment.featureRevision)])
    }

    @Test func pingIsAnswered200() async throws {
        let body = #"{"zen":"Design for failure.","hook_id":1}"#
        try await Harness.test { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "ping", signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(response.status == .ok)
            #expect(response.json?["event"] == "ping")
        }
    }

    @Test func otherEventsAreAcceptedAndIgnored() async throws {
        let body = #"{"action":"opened"}"#
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "pull_request", signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == false)
        }
        #expect(control.calls.isEmpty)
    }

    @Test(arguments: [
        ("check_run", #"{"action":"completed","check_run":{"name":"test","head_sha":"HEAD","conclusion":"success"}}"#),
        ("check_suite", #"{"action":"completed","check_suite":{"head_sha":"HEAD","conclusion":"success"}}"#),
        ("status", #"{"sha":"HEAD","context":"ci/test","state":"success"}"#),
    ])
    func aCheckEventForTheCommitAtTheReleaseGateWakesIt(event: String, template: String) async throws {
        let body = template.replacingOccurrences(of: "HEAD", with: SampleEnvironment.head)
        let control = FakeReconcilerControl()
        control.update { $0.state.rollout?.phase = .checkGate }
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: event, signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == true, "\(response.text)")
        }
        #expect(control.calls == [.checksChanged(sha: SampleEnvironment.head)])
    }

    @Test func aCheckEventWithoutACommitIs400AndAnUnsignedOneIs401() async throws {
        let body = #"{"action":"completed","check_run":{"name":"test"}}"#
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let missing = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "check_run", signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(missing.status == .badRequest)
            let unsigned = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "check_run", signature: nil), body: Harness.body(body))
            #expect(unsigned.status == .unauthorized)
        }
        #expect(control.calls.isEmpty)
    }

    @Test func aMissingSignatureIs401() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: nil), body: Harness.body(Self.push))
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "missing_signature")
        }
        #expect(control.calls.isEmpty)
    }

    @Test(arguments: [
        "sha256=" + String(repeating: "0", count: 64),
        "sha256=zz",
        "sha1=0123456789abcdef0123456789abcdef01234567",
        String(WebhookTests.signature(WebhookTests.push).dropFirst(7)),
        WebhookTests.signature(WebhookTests.push).dropLast() + "0",
    ])
    func anInvalidSignatureIs401(signature: String) async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: signature), body: Harness.body(Self.push))
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "invalid_signature")
        }
        #expect(control.calls.isEmpty)
    }

    @Test func theSameBodyWithAnotherSecretsSignatureIsRefused() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let replayed = Self.signature(Self.push, secret: "someone-elses-secret")
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: replayed), body: Harness.body(Self.push))
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "invalid_signature")
        }
        #expect(control.calls.isEmpty)
    }

    @Test func aValidSignatureReplayedOnAnotherBodyIsRefused() async throws {
        let control = FakeReconcilerControl()
        let forged = #"{"ref":"refs/heads/develop","after":"\#(SampleEnvironment.featureRevision)"}"#
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(Self.push)),
                body: Harness.body(forged))
            #expect(response.status == .unauthorized)
        }
        #expect(control.calls.isEmpty)
    }

    @Test func theSignatureIsCheckedBeforeTheBodyIsParsed() async throws {
        try await Harness.test { client in
            let unsigned = try await client.execute(
                uri: "/webhooks/github", method: .post,
                headers: Self.headers(event: "push", signature: "sha256=" + String(repeating: "ab", count: 32)), body: Harness.body("{not json"))
            #expect(unsigned.status == .unauthorized)
            let signed = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature("{not json")),
                body: Harness.body("{not json"))
            #expect(signed.status == .badRequest)
            #expect(signed.errorCode == "invalid_json")
        }
    }

    @Test func anOversizedBodyIs413BeforeAnythingElse() async throws {
        let control = FakeReconcilerControl()
        let large = #"{"ref":"refs/heads/develop","padding":""# + String(repeating: "x", count: 5000) + #""}"#
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(large)),
                body: Harness.body(large))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "body_too_large")
        }
        #expect(control.calls.isEmpty)
    }

    @Test func withoutASecretWebhooksAreRefused() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control, configuration: OperatorServerConfiguration(operatorToken: Harness.token)) { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(Self.push, secret: "")),
                body: Harness.body(Self.push))
            #expect(response.status == .forbidden)
            #expect(response.errorCode == "webhook_secret_not_configured")
        }
        #expect(control.calls.isEmpty)
    }

    @Test func aFormEncodedPushIsReadFromItsPayloadField() async throws {
        let body = "payload=" + (Self.push.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            var headers = Self.headers(event: "push", signature: Self.signature(body))
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.execute(uri: "/webhooks/github", method: .post, headers: headers, body: Harness.body(body))
            #expect(response.status == .accepted)
        }
        #expect(control.calls == [.push(ref: "refs/heads/develop", after: SampleEnvironment.head)])
    }

    @Test func aPushWithoutARefIs400() async throws {
        let body = #"{"after":"abc"}"#
        try await Harness.test { client in
            let response = try await client.execute(
                uri: "/webhooks/github", method: .post, headers: Self.headers(event: "push", signature: Self.signature(body)),
                body: Harness.body(body))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_request")
        }
    }
}
