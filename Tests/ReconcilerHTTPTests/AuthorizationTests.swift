import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

@Suite struct AuthorizationTests {
    static let mutating: [(String, String)] = [
        ("/reconcile", "{}"),
        ("/pin", #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#),
        ("/unpin", "{}"),
        ("/rollback", #"{"reason":"bad deploy"}"#),
    ]

    @Test func theRightTokenIsAccepted() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            for (path, body) in Self.mutating {
                let response = try await client.execute(uri: path, method: .post, headers: Harness.authorized, body: Harness.body(body))
                #expect((200..<300).contains(response.status.code), "\(path): \(response.status) \(response.text)")
            }
        }
        #expect(control.calls.count == 4)
    }

    @Test func aMissingTokenIs401WithAChallengeAndNothingHappens() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            for (path, body) in Self.mutating {
                let response = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/json"], body: Harness.body(body))
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.errorCode == "unauthorized")
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"reconciler\"")
            }
        }
        #expect(control.calls.isEmpty)
    }

    @Test(arguments: [
        "Bearer wrong-token",
        "Bearer \(Harness.token)x",
        "Bearer \(Harness.token.dropLast())",
        "Basic \(Harness.token)",
        "\(Harness.token)",
        "Bearer ",
        "bearer",
    ])
    func aWrongTokenIs401(header: String) async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: [.authorization: header],
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#))
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "unauthorized")
            #expect(!response.text.contains(Harness.token))
        }
        #expect(control.calls.isEmpty)
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/reconcile", method: .post, headers: [.authorization: "bearer \(Harness.token)"])
            #expect(response.status == .accepted)
        }
    }

    @Test func withoutAConfiguredTokenMutatingRoutesAreRefusedAndReadRoutesStillServe() async throws {
        let control = FakeReconcilerControl()
        for token in [nil, ""] as [String?] {
            let configuration = OperatorServerConfiguration(operatorToken: token, webhookSecret: Harness.secret)
            try await Harness.test(control: control, configuration: configuration) { client in
                for (path, body) in Self.mutating {
                    let response = try await client.execute(uri: path, method: .post, headers: Harness.authorized, body: Harness.body(body))
                    #expect(response.status == .forbidden, "\(path)")
                    #expect(response.errorCode == "operator_token_not_configured")
                    #expect(response.errorMessage?.contains("RECONCILER_TOKEN") == true)
                }
                for path in ["/", "/healthz", "/readyz", "/status", "/history", "/plan", "/metrics"] {
                    let status = try await client.execute(uri: path, method: .get).status
                    #expect(status == .ok, "\(path)")
                }
            }
        }
        #expect(control.calls.isEmpty)
    }

    @Test func publicReadRoutesNeedNoTokenButThePlanNeedsAViewer() async throws {
        try await Harness.test { client in
            for path in ["/", "/healthz", "/readyz", "/status", "/history", "/metrics"] {
                let status = try await client.execute(uri: path, method: .get).status
                #expect(status == .ok, "\(path)")
            }
            let plan = try await client.execute(uri: "/plan", method: .get)
            #expect(plan.status == .unauthorized)
            #expect(plan.errorMessage?.contains("GET /plan needs role viewer") == true, "\(plan.text)")
        }
    }

    @Test func theConfigurationNeverPrintsItsSecrets() {
        let configuration = Harness.configuration
        for text in [
            configuration.description, String(describing: configuration), String(reflecting: configuration),
            {
                var out = ""
                dump(configuration, to: &out)
                return out
            }(),
        ] {
            #expect(!text.contains(Harness.token))
            #expect(!text.contains(Harness.secret))
        }
        #expect(configuration.description.contains("<set>"))
    }
}
