import ClipnetJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

/// Named operator tokens: every role against every route that needs one, revocation, reloading,
/// and the identity recorded coming from the token rather than the request.
@Suite struct OperatorRoleTests {
    /// A token file with one token per role (and a revoked one), and the tokens themselves.
    struct Tokens {
        let path: String
        let token: [String: String]

        static func make() throws -> Tokens {
            let path = NSTemporaryDirectory() + "operator-tokens-\(UUID().uuidString).json"
            var file = OperatorTokenFile()
            var token: [String: String] = [:]
            for (name, role) in [("vera", OperatorRole.viewer), ("otto", .operator), ("ada", .admin), ("rex", .operator)] {
                token[name] = try file.issue(name: name, role: role)
            }
            try file.revoke(name: "rex")
            try file.save(path: path)
            return Tokens(path: path, token: token)
        }

        func configuration(shared: String? = nil) throws -> OperatorServerConfiguration {
            OperatorServerConfiguration(
                operatorToken: shared, credentials: try OperatorCredentials(sharedToken: shared, tokenFilePath: path),
                webhookSecret: Harness.secret, maximumBodySize: 4096)
        }

        func headers(_ name: String) -> HTTPFields {
            [.authorization: "Bearer \(token[name]!)", .contentType: "application/json"]
        }
    }

    /// Each route that needs a token, its body, and the least role it needs.
    static let routes: [(method: HTTPRequest.Method, path: String, body: String, needs: OperatorRole)] = [
        (.get, "/plan", "", .viewer),
        (.post, "/reconcile", "{}", .operator),
        (.post, "/reconcile?retry=1", "{}", .operator),
        (.post, "/pin", #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#, .operator),
        (.post, "/unpin", "{}", .operator),
        (.post, "/rollback", #"{"reason":"bad deploy"}"#, .operator),
        (.post, "/cleanup/preview-variables", #"{"apply":false}"#, .admin),
        (.post, "/promote", #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"release"}"#, .admin),
    ]

    @Test(arguments: [("vera", OperatorRole.viewer), ("otto", .operator), ("ada", .admin)])
    func eachRoleReachesExactlyTheRoutesOfItsRankAndBelow(name: String, role: OperatorRole) async throws {
        let tokens = try Tokens.make()
        defer { try? FileManager.default.removeItem(atPath: tokens.path) }
        let control = FakeReconcilerControl()
        try await Harness.test(control: control, configuration: try tokens.configuration()) { client in
            for route in Self.routes {
                let response = try await client.execute(
                    uri: route.path, method: route.method, headers: tokens.headers(name), body: route.body.isEmpty ? nil : Harness.body(route.body))
                if role >= route.needs {
                    #expect((200..<300).contains(response.status.code), "\(name) \(route.path): \(response.status) \(response.text)")
                } else {
                    #expect(response.status == .forbidden, "\(name) \(route.path)")
                    #expect(response.errorCode == "insufficient_role")
                    #expect(
                        response.errorMessage
                            == "the token '\(name)' has role \(role.rawValue); \(route.method.rawValue) \(route.path.split(separator: "?")[0]) needs \(route.needs.rawValue)"
                    )
                }
            }
        }
        // Nothing was done by a role that may not do it.
        let allowedActions = Self.routes.filter { $0.method == .post && role >= $0.needs }.count
        #expect(control.calls.count == allowedActions)
    }

    @Test func aRevokedTokenIsRefusedWithItsNameAndNothingHappens() async throws {
        let tokens = try Tokens.make()
        defer { try? FileManager.default.removeItem(atPath: tokens.path) }
        let control = FakeReconcilerControl()
        try await Harness.test(control: control, configuration: try tokens.configuration()) { client in
            for route in Self.routes {
                let response = try await client.execute(
                    uri: route.path, method: route.method, headers: tokens.headers("rex"), body: route.body.isEmpty ? nil : Harness.body(route.body))
                #expect(response.status == .unauthorized, "\(route.path)")
                #expect(response.errorCode == "token_revoked")
                #expect(response.errorMessage?.hasPrefix("the operator token 'rex' was revoked at ") == true)
                #expect(!response.text.contains(tokens.token["rex"]!))
            }
        }
        #expect(control.calls.isEmpty)
    }

    @Test func theIdentityRecordedIsTheTokensNameWhateverTheRequestSays() async throws {
        let tokens = try Tokens.make()
        defer { try? FileManager.default.removeItem(atPath: tokens.path) }
        let control = FakeReconcilerControl()
        let registry = PrometheusCollectorRegistry()
        try await Harness.test(control: control, configuration: try tokens.configuration(shared: Harness.token), registry: registry) { client in
            var headers = tokens.headers("otto")
            headers[HTTPField.Name("X-Reconciler-Actor")!] = "ada"
            let pin = try await client.execute(
                uri: "/pin", method: .post, headers: headers,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold","by":"mallory"}"#))
            #expect(pin.status == .ok, "\(pin.text)")
            #expect(pin.json?["pin"]?["by"]?.stringValue == "otto")

            // The shared token proves no name: its label is recorded, as before named tokens.
            let unpin = try await client.execute(uri: "/unpin", method: .post, headers: Harness.authorized, body: Harness.body(#"{"by":"alice"}"#))
            #expect(unpin.status == .ok)

            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.text.contains(#"operator_actions_total{action="pin",actor="otto"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"operator_actions_total{action="unpin",actor="shared-token"} 1"#))
            #expect(!metrics.text.contains("mallory") && !metrics.text.contains("alice"), "free-text labels never become series")
        }
        #expect(control.calls.first == .pin(revision: SampleEnvironment.knownGood, reason: "hold", by: "otto", force: false))
        #expect(control.calls.last == .unpin(reason: nil, by: "alice"))
    }

    @Test func aReloadPicksUpIssuedAndRevokedTokensAndABrokenFileKeepsTheLoadedOnes() throws {
        let tokens = try Tokens.make()
        defer { try? FileManager.default.removeItem(atPath: tokens.path) }
        let credentials = try OperatorCredentials(sharedToken: nil, tokenFilePath: tokens.path)
        #expect(credentials.verify(tokens.token["otto"]!) == .caller(OperatorCaller(name: "otto", role: .operator, source: .namedToken)))

        var file = try OperatorTokenFile.load(path: tokens.path)
        try file.revoke(name: "otto")
        let fresh = try file.issue(name: "nina", role: .viewer)
        try file.save(path: tokens.path)
        #expect(credentials.verify(fresh) == .unknown, "not loaded before the reload")
        #expect(try credentials.reload() == 3)
        #expect(credentials.verify(fresh) == .caller(OperatorCaller(name: "nina", role: .viewer, source: .namedToken)))
        guard case .revoked(name: "otto", at: _) = credentials.verify(tokens.token["otto"]!) else {
            Issue.record("otto's token is revoked after the reload")
            return
        }

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: tokens.path))
        #expect(throws: OperatorTokenFile.Problem.self) { try credentials.reload() }
        #expect(credentials.verify(fresh) != .unknown, "the tokens loaded before stay in effect")
    }

    @Test func theTokenFileHoldsDigestsOnlyAndIsPrivate() throws {
        let tokens = try Tokens.make()
        defer { try? FileManager.default.removeItem(atPath: tokens.path) }
        let text = try String(contentsOfFile: tokens.path, encoding: .utf8)
        for token in tokens.token.values {
            #expect(token.hasPrefix("rcn_") && token.count == 47)
            #expect(!text.contains(token))
        }
        let mode = (try FileManager.default.attributesOfItem(atPath: tokens.path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }

    @Test(arguments: [
        (
            #"{"tokens":[{"name":"Bad Name","role":"viewer","sha256":"\#(String(repeating: "a", count: 64))","issuedAt":"x"}]}"#,
            "tokens[0]: token name 'Bad Name'"
        ),
        (#"{"tokens":[{"name":"a","role":"root","sha256":"\#(String(repeating: "a", count: 64))","issuedAt":"x"}]}"#, "is not valid"),
        (#"{"tokens":[{"name":"a","role":"viewer","sha256":"abc","issuedAt":"x"}]}"#, "sha256 must be 64 lower-case hex digits"),
        (#"{"tokens":[]"#, "is not valid"),
    ])
    func aBadTokenFileIsRefusedWithWhatIsWrong(text: String, expected: String) throws {
        let path = NSTemporaryDirectory() + "operator-tokens-\(UUID().uuidString).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try OperatorCredentials(sharedToken: nil, tokenFilePath: path)
            Issue.record("loaded a bad file")
        } catch let problem as OperatorTokenFile.Problem {
            #expect(problem.description.contains(expected), "\(problem)")
        }
    }

    @Test func aMissingTokenFileIsAnErrorThatSaysHowToCreateIt() {
        #expect {
            _ = try OperatorCredentials(sharedToken: nil, tokenFilePath: "/nonexistent/operator-tokens.json")
        } throws: { error in
            "\(error)".contains("reconciler token issue")
        }
    }
}
