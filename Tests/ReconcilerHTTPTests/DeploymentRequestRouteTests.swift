import ClipnetContracts
import ClipnetJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Reconciler
import ReconcilerTestSupport
import Testing

/// GitHub's `deployment` webhook ("deploy this build") and `POST /unmark`: a deployment created
/// by someone else for this environment marks its commit; the daemon's own deployments, other
/// environments and other actions do not.
@Suite struct DeploymentRequestRouteTests {
    static func deployment(
        id: Int = 4242, sha: String = SampleEnvironment.featureRevision, environment: String = "staging", action: String = "created",
        payload: String = "{}", login: String = "alice", task: String = "deploy:request"
    ) -> String {
        #"{"action":"\#(action)","deployment":{"id":\#(id),"sha":"\#(sha)","ref":"feature/try","task":"\#(task)","environment":"\#(environment)","payload":\#(payload),"creator":{"login":"\#(login)"}},"sender":{"login":"\#(login)"}}"#
    }

    static func send(_ body: String, to client: some TestClientProtocol) async throws -> TestResponse {
        try await client.execute(
            uri: "/webhooks/github", method: .post,
            headers: WebhookTests.headers(event: "deployment", signature: WebhookTests.signature(body)), body: Harness.body(body))
    }

    @Test func aDeploymentSomeoneCreatedForThisEnvironmentMarksItsCommit() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            // GitHub's environment names are case-insensitive.
            let response = try await Self.send(Self.deployment(environment: "Staging"), to: client)
            #expect(response.status == .accepted)
            #expect(response.json?["accepted"] == true, "\(response.text)")
            #expect(response.text.contains("GitHub deployment 4242 by github:alice"), "\(response.text)")
        }
        #expect(
            control.calls == [
                .requestDeployment(revision: SampleEnvironment.featureRevision, deployment: 4242, by: "github:alice", ref: "feature/try")
            ])
        let desired = control.status().document.desired
        #expect(desired.source == .mark && desired.request?.deployment == 4242 && desired.revision == SampleEnvironment.featureRevision)
    }

    @Test(arguments: [
        ("the daemon's own", DeploymentRequestRouteTests.deployment(payload: #"{"rolloutID":"ro-1"}"#)),
        ("another environment's", DeploymentRequestRouteTests.deployment(environment: "production")),
        ("not a creation", DeploymentRequestRouteTests.deployment(action: "deleted")),
        ("an Actions job's (task deploy)", DeploymentRequestRouteTests.deployment(login: "github-actions[bot]", task: "deploy")),
    ])
    func aDeploymentThatIsNotARequestForThisEnvironmentIsIgnored(what: String, body: String) async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await Self.send(body, to: client)
            #expect(response.status == .accepted, "\(what)")
            #expect(response.json?["accepted"] == false, "\(what): \(response.text)")
        }
        #expect(control.calls.isEmpty, "\(what)")
        #expect(control.status().document.desired.request == nil)
    }

    @Test func aDeploymentWithoutAFullShaIs400AndAnUnknownCommitIs422() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let short = try await Self.send(Self.deployment(sha: "1b64538"), to: client)
            #expect(short.status == .badRequest)
            let unknown = try await Self.send(Self.deployment(sha: String(repeating: "e", count: 40)), to: client)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.json?["error"]?["code"] == "unknown_revision", "\(unknown.text)")
        }
        #expect(control.status().document.desired.request == nil)
    }

    @Test func unmarkNeedsAnOperatorTokenClearsTheRequestAndSaysWhatIsFollowedNow() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            _ = try await Self.send(Self.deployment(), to: client)
            let anonymous = try await client.execute(uri: "/unmark", method: .post, body: Harness.body("{}"))
            #expect(anonymous.status == .unauthorized)
            #expect(control.status().document.desired.request != nil)
            let response = try await client.execute(
                uri: "/unmark", method: .post, headers: Harness.authorized, body: Harness.body(#"{"reason":"done trying","by":"carol"}"#))
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.json?["cleared"]?["deployment"] == 4242)
            #expect(response.json?["source"] == "branch")
            let again = try await client.execute(uri: "/unmark", method: .post, headers: Harness.authorized, body: Harness.body("{}"))
            #expect(again.json?["cleared"] == nil, "nothing stood: \(again.text)")
        }
        #expect(control.status().document.desired.request == nil && control.status().document.desired.source == .branch)
        let history = try await control.history(limit: 10)
        #expect(history.map(\.kind).prefix(2) == [.unmarked, .requested], "\(history.map(\.kind))")
        #expect(history.first?.by == "carol" && history.first?.reason == "done trying")
    }
}
