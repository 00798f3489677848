import ClipnetJSON
import ClipnetLogging
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

@Suite struct ActionRouteTests {
    @Test func pinChangesTheDesiredRevisionAndRecordsWhoAndWhy() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood.prefix(10))","reason":"hold for the demo","by":"alice"}"#))
            #expect(response.status == .ok)
            #expect(response.json?["pin"]?["revision"]?.stringValue == SampleEnvironment.knownGood)
            #expect(response.json?["pin"]?["by"] == "alice")

            let status = try await client.execute(uri: "/status", method: .get).json
            #expect(status?["desired"]?["source"] == "pin")
            #expect(status?["desired"]?["pin"]?["reason"] == "hold for the demo")
        }
        #expect(
            control.calls == [.pin(revision: String(SampleEnvironment.knownGood.prefix(10)), reason: "hold for the demo", by: "alice", force: false)])
    }

    @Test func theActorComesFromTheBodyThenTheHeaderThenDefaultsToApi() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            var headers = Harness.authorized
            headers[HTTPField.Name("X-Reconciler-Actor")!] = "bob"
            _ = try await client.execute(uri: "/unpin", method: .post, headers: headers, body: Harness.body(#"{"by":"carol"}"#))
            _ = try await client.execute(uri: "/unpin", method: .post, headers: headers, body: Harness.body("{}"))
            _ = try await client.execute(uri: "/unpin", method: .post, headers: Harness.authorized)
            headers[HTTPField.Name("X-Reconciler-Actor")!] = "  \u{1B}[31mmallory\nINFO fake line  "
            _ = try await client.execute(uri: "/unpin", method: .post, headers: headers)
        }
        let actors = control.calls.compactMap { call -> String? in
            if case .unpin(_, let by) = call { by } else { nil }
        }
        #expect(actors.prefix(3) == ["carol", "bob", "api"])
        #expect(actors.last?.contains("\n") == false)
        #expect(actors.last?.contains("\u{1B}") == false)
    }

    @Test func anUnknownRevisionIs422() async throws {
        try await Harness.test { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized, body: Harness.body(#"{"revision":"deadbeef","reason":"x"}"#))
            #expect(response.status == .unprocessableContent)
            #expect(response.errorCode == "unknown_revision")
        }
    }

    @Test func aRevisionOffTheBranchIs409UnlessForced() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let refused = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.featureRevision)","reason":"try the feature"}"#))
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "not_on_branch")
            #expect(refused.errorMessage?.contains("force") == true)

            let forced = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.featureRevision)","reason":"try the feature","force":true}"#))
            #expect(forced.status == .ok)
        }
    }

    @Test(arguments: [
        (#"{"reason":"x"}"#, "revision"),
        (#"{"revision":"abc"}"#, "reason"),
        (#"{"revision":"abc","reason":"   "}"#, "reason"),
        ("", "revision"),
    ])
    func aMissingFieldIs400NamingIt(body: String, field: String) async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(uri: "/pin", method: .post, headers: Harness.authorized, body: Harness.body(body))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_request")
            #expect(response.errorMessage?.contains("'\(field)'") == true)
        }
        #expect(control.calls.isEmpty)
    }

    @Test(arguments: [
        #"{"revision":"abc","reason":"x""#,
        "not json at all",
        #"["revision"]"#,
        #"{"revision":42,"reason":"x"}"#,
        #"{"revision":"abc","reason":"x","force":"yes"}"#,
    ])
    func malformedJSONIs400(body: String) async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(uri: "/pin", method: .post, headers: Harness.authorized, body: Harness.body(body))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_json")
            #expect(response.errorMessage?.contains(body) == false)
        }
        #expect(control.calls.isEmpty)
    }

    @Test func anOversizedBodyIs413() async throws {
        let control = FakeReconcilerControl()
        let reason = String(repeating: "r", count: 10_000)
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized, body: Harness.body(#"{"revision":"abc","reason":"\#(reason)"}"#))
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "body_too_large")
        }
        #expect(control.calls.isEmpty)
    }

    @Test func rollbackGoesToThePreviousKnownGoodAndPinsIt() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/rollback", method: .post, headers: Harness.authorized, body: Harness.body(#"{"reason":"checkout broken"}"#))
            #expect(response.status == .ok)
            #expect(response.json?["rolledBackTo"]?["revision"]?.stringValue == SampleEnvironment.previousKnownGood)
            let status = try await client.execute(uri: "/status", method: .get).json
            #expect(status?["desired"]?["revision"]?.stringValue == SampleEnvironment.previousKnownGood)
            #expect(status?["knownGood"]?["revision"]?.stringValue == SampleEnvironment.previousKnownGood)
        }
    }

    @Test func rollbackWithNothingToGoBackToIs409() async throws {
        let control = FakeReconcilerControl()
        control.update { $0.state = EnvironmentState() }
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/rollback", method: .post, headers: Harness.authorized, body: Harness.body(#"{"reason":"x"}"#))
            #expect(response.status == .conflict)
            #expect(response.errorCode == "no_rollback_target")
        }
    }

    @Test func promoteAnswersThePromotionAndRefusesWhatIsNotKnownGoodWith409() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let accepted = try await client.execute(
                uri: "/promote", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood)","reason":"release 7"}"#))
            #expect(accepted.status == .ok, "\(accepted.text)")
            #expect(accepted.json?["revision"]?.stringValue == SampleEnvironment.knownGood && accepted.json?["branch"] == "production")
            let refused = try await client.execute(
                uri: "/promote", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.head)","reason":"not yet"}"#))
            #expect(refused.status == .conflict)
            #expect(refused.errorCode == "not_promotable")
            let missing = try await client.execute(
                uri: "/promote", method: .post, headers: Harness.authorized, body: Harness.body(#"{"reason":"x"}"#))
            #expect(missing.status == .badRequest)
        }
        #expect(control.calls.contains(.promote(revision: SampleEnvironment.knownGood, reason: "release 7", by: "api")))
    }

    @Test func reconcileWithRetryClearsTheFailureFlag() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let plain = try await client.execute(uri: "/reconcile", method: .post, headers: Harness.authorized)
            #expect(plain.status == .accepted)
            #expect(plain.json == ["requested": "reconcile", "retry": false])
            let retry = try await client.execute(uri: "/reconcile?retry=1", method: .post, headers: Harness.authorized)
            #expect(retry.json?["retry"] == true)
            let bad = try await client.execute(uri: "/reconcile?retry=maybe", method: .post, headers: Harness.authorized)
            #expect(bad.status == .badRequest)
        }
        #expect(control.calls == [.reconcile(retry: false, by: "api"), .reconcile(retry: true, by: "api")])
    }

    @Test func unpinFollowsTheBranchAgain() async throws {
        try await Harness.test { client in
            let response = try await client.execute(
                uri: "/unpin", method: .post, headers: Harness.authorized, body: Harness.body(#"{"reason":"fixed"}"#))
            #expect(response.status == .ok)
            #expect(response.json == ["unpinned": true, "following": "develop"])
        }
    }

    @Test func aStandbyReplicaAnswers503WithRetryAfter() async throws {
        let control = FakeReconcilerControl()
        control.fail(.pin, with: OperatorError(.notLeader, "this replica is a standby; the leader takes operator requests"))
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized, body: Harness.body(#"{"revision":"abc","reason":"x"}"#))
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "not_leader")
            #expect(response.headers[.retryAfter] == "5")
        }
    }

    @Test func operatorActionsAreLoggedWithWhoAndTheRevisionButNoToken() async throws {
        let (logger, capture) = Harness.capturing()
        try await Harness.test(logger: logger) { client in
            _ = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold","by":"alice"}"#))
        }
        let line = try #require(capture.lines.first { $0.contains("pinned") })
        let json = try #require(JSONValue.parse(Array(line.utf8)))
        #expect(json["operator.actor"] == "alice")
        #expect(json["revision"]?.stringValue == SampleEnvironment.knownGood)
        #expect(capture.lines.allSatisfy { !$0.contains(Harness.token) && !$0.contains("Bearer") })
    }
}
