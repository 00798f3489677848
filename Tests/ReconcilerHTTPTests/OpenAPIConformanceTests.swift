import ClipnetContracts
import ClipnetJSON
import Foundation
import GitWatch
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Prometheus
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

/// docs/openapi.yaml against the server's real answers: the same routes, and every answer the
/// scenarios provoke has a documented status, a listed content type, and a body of the schema.
@Suite struct OpenAPIConformanceTests {
    static let documentPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml").path

    static func document() throws -> OpenAPIDocument {
        try OpenAPIDocument(contentsOfFile: documentPath)
    }

    struct Scenario: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var uri: String
        var headers: HTTPFields = [:]
        var body: String = ""
        var status: Int
        /// Prepares the fake daemon (a failure, a state).
        var prepare: @Sendable (FakeReconcilerControl) -> Void = { _ in }
        var configuration: OperatorServerConfiguration = Harness.configuration

        var path: String { String(uri.split(separator: "?").first ?? "") }
        var description: String { "\(method) \(uri) → \(status)" }
    }

    struct Unexpected: Error {}

    static let pushBody = #"{"ref":"refs/heads/develop","after":"\#(SampleEnvironment.head)"}"#

    static func webhook(_ event: String, _ body: String, signature: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json", HTTPField.Name("X-GitHub-Event")!: event]
        fields[HTTPField.Name("X-Hub-Signature-256")!] = signature ?? WebhookTests.signature(body)
        return fields
    }

    static let vercelBody = PlatformWebhookTests.vercelEvent("deployment.ready", deployment: "dpl_1")
    static let railwayBody = PlatformWebhookTests.railwayEvent("Deployment.failed", deployment: "rw-1")

    static func vercel(_ body: String, signature: String? = nil) -> HTTPFields {
        PlatformWebhookTests.vercelHeaders(signature ?? PlatformWebhookTests.vercelSignature(body))
    }

    static let scenarios: [Scenario] = [
        Scenario(method: .get, uri: "/", status: 200),
        Scenario(method: .get, uri: "/healthz", status: 200),
        Scenario(method: .get, uri: "/readyz", status: 200),
        Scenario(
            method: .get, uri: "/readyz", status: 503,
            prepare: { $0.update { $0.readiness = Readiness(checks: [.init(name: "leader", ok: false, detail: "standby")]) } }),
        Scenario(method: .get, uri: "/status", status: 200),
        Scenario(
            method: .get, uri: "/status", status: 200,
            prepare: {
                $0.update { $0.state.pin = .init(revision: SampleEnvironment.knownGood, reason: "hold", by: "alice", at: SampleEnvironment.now) }
            }),
        Scenario(
            method: .get, uri: "/status", status: 200,
            prepare: {
                $0.update {
                    $0.state = .init()
                    $0.watch = .init(branch: "develop")
                    $0.lastPass = nil
                }
            }),
        Scenario(method: .post, uri: "/status", headers: Harness.authorized, status: 405),
        Scenario(method: .get, uri: "/history?limit=5", status: 200),
        Scenario(method: .get, uri: "/history?limit=0", status: 400),
        Scenario(method: .get, uri: "/history", status: 503, prepare: { $0.fail(.history, with: OperatorError(.unavailable, "store down")) }),
        Scenario(method: .get, uri: "/plan", headers: Harness.authorized, status: 200),
        Scenario(method: .get, uri: "/plan", status: 401),
        Scenario(
            method: .get, uri: "/plan", headers: Harness.authorized, status: 200,
            prepare: {
                $0.update {
                    $0.state.recordFailure(
                        .init(revision: SampleEnvironment.head, at: SampleEnvironment.now, reason: "build failed", phase: .deployBackend))
                }
            }),
        Scenario(
            method: .get, uri: "/plan", headers: Harness.authorized, status: 503,
            prepare: { $0.fail(.plan, with: OperatorError(.unavailable, "repository unreachable")) }),
        Scenario(method: .get, uri: "/plan", headers: Harness.authorized, status: 500, prepare: { $0.fail(.plan, with: Unexpected()) }),
        Scenario(method: .get, uri: "/metrics", status: 200),
        Scenario(method: .post, uri: "/reconcile", headers: Harness.authorized, status: 202),
        Scenario(method: .post, uri: "/reconcile?retry=1", headers: Harness.authorized, body: "{}", status: 202),
        Scenario(method: .post, uri: "/reconcile", status: 401),
        Scenario(method: .post, uri: "/reconcile", headers: Harness.authorized, status: 403, configuration: OperatorServerConfiguration()),
        Scenario(method: .post, uri: "/reconcile", headers: Harness.authorized, body: "[", status: 400),
        Scenario(method: .post, uri: "/reconcile", headers: Harness.authorized, body: String(repeating: " ", count: 5000), status: 413),
        Scenario(
            method: .post, uri: "/reconcile", headers: Harness.authorized, status: 503,
            prepare: { $0.fail(.reconcile, with: OperatorError(.notLeader, "standby")) }),
        Scenario(
            method: .post, uri: "/pin", headers: Harness.authorized, body: #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#,
            status: 200),
        Scenario(
            method: .post, uri: "/pin", headers: Harness.authorized, body: #"{"revision":"\#(SampleEnvironment.featureRevision)","reason":"hold"}"#,
            status: 409),
        Scenario(method: .post, uri: "/pin", headers: Harness.authorized, body: #"{"revision":"0000000","reason":"hold"}"#, status: 422),
        Scenario(method: .post, uri: "/pin", headers: Harness.authorized, body: #"{"reason":"hold"}"#, status: 400),
        Scenario(method: .post, uri: "/pin", headers: [.authorization: "Bearer nope"], body: "{}", status: 401),
        Scenario(
            method: .post, uri: "/pin", headers: Harness.authorized, body: #"{"revision":"a","reason":"\#(String(repeating: "r", count: 5000))"}"#,
            status: 413),
        Scenario(method: .get, uri: "/pin", status: 405),
        Scenario(method: .post, uri: "/unpin", headers: Harness.authorized, status: 200),
        Scenario(method: .post, uri: "/unpin", headers: Harness.authorized, body: #"{"reason":"done"}"#, status: 200),
        Scenario(method: .post, uri: "/unpin", status: 401),
        Scenario(method: .post, uri: "/rollback", headers: Harness.authorized, body: #"{"reason":"broken"}"#, status: 200),
        Scenario(
            method: .post, uri: "/cleanup/preview-variables", headers: Harness.authorized, body: "{}", status: 200,
            prepare: {
                $0.update { $0.previewLeftovers = [.init(key: "NEXTAUTH_SECRET", id: "env_1", type: "sensitive", evidence: "sameKeyAndType")] }
            }),
        Scenario(method: .post, uri: "/cleanup/preview-variables", headers: Harness.authorized, body: #"{"apply":true}"#, status: 200),
        Scenario(method: .post, uri: "/cleanup/preview-variables", body: "{}", status: 401),
        Scenario(method: .post, uri: "/cleanup/preview-variables", headers: Harness.authorized, body: #"{"apply":"yes"}"#, status: 400),
        Scenario(
            method: .post, uri: "/rollback", headers: Harness.authorized, body: #"{"to":"\#(SampleEnvironment.head)","reason":"broken"}"#, status: 409
        ),
        Scenario(method: .post, uri: "/rollback", headers: Harness.authorized, body: #"{"to":"ffffffff","reason":"broken"}"#, status: 422),
        Scenario(method: .post, uri: "/rollback", headers: Harness.authorized, body: "{}", status: 400),
        Scenario(method: .post, uri: "/webhooks/github", headers: webhook("push", pushBody), body: pushBody, status: 202),
        Scenario(
            method: .post, uri: "/webhooks/github", headers: webhook("push", #"{"ref":"refs/heads/main"}"#), body: #"{"ref":"refs/heads/main"}"#,
            status: 200),
        Scenario(method: .post, uri: "/webhooks/github", headers: webhook("ping", "{}"), body: "{}", status: 200),
        Scenario(method: .post, uri: "/webhooks/github", headers: webhook("issues", "{}"), body: "{}", status: 202),
        Scenario(method: .post, uri: "/webhooks/github", headers: webhook("push", pushBody, signature: "sha256=00"), body: pushBody, status: 401),
        Scenario(method: .post, uri: "/webhooks/github", headers: webhook("push", "{"), body: "{", status: 400),
        Scenario(
            method: .post, uri: "/webhooks/vercel", headers: vercel(vercelBody), body: vercelBody, status: 202,
            prepare: { $0.update { $0.state.rollout?.deployments.frontend = "dpl_1" } }, configuration: PlatformWebhookTests.configuration),
        Scenario(
            method: .post, uri: "/webhooks/vercel", headers: vercel(vercelBody, signature: "00"), body: vercelBody, status: 401,
            configuration: PlatformWebhookTests.configuration),
        Scenario(method: .post, uri: "/webhooks/vercel", headers: vercel(vercelBody), body: vercelBody, status: 403),
        Scenario(
            method: .post, uri: "/webhooks/vercel", headers: vercel("{"), body: "{", status: 400, configuration: PlatformWebhookTests.configuration),
        Scenario(
            method: .post, uri: "/webhooks/railway?token=\(PlatformWebhookTests.railwayToken)", headers: [.contentType: "application/json"],
            body: railwayBody, status: 202, configuration: PlatformWebhookTests.configuration),
        Scenario(
            method: .post, uri: "/webhooks/railway?token=wrong", headers: [.contentType: "application/json"], body: railwayBody, status: 401,
            configuration: PlatformWebhookTests.configuration),
        Scenario(method: .post, uri: "/webhooks/railway?token=x", headers: [.contentType: "application/json"], body: railwayBody, status: 403),
        Scenario(
            method: .post, uri: "/webhooks/github", headers: webhook("push", pushBody), body: pushBody, status: 403,
            configuration: OperatorServerConfiguration(operatorToken: Harness.token)),
        Scenario(
            method: .post, uri: "/webhooks/github", headers: webhook("push", String(repeating: "x", count: 5000)),
            body: String(repeating: "x", count: 5000), status: 413),
    ]

    @Test func theDocumentDescribesExactlyTheRoutesTheServerServes() throws {
        let responder = OperatorServer.makeResponder(control: FakeReconcilerControl(), registry: PrometheusCollectorRegistry(), logger: Harness.quiet)
        let served = Set(responder.routes.map { "\($0.method) \($0.path)" })
        let documented = Set(try Self.document().operations.map { "\($0.method) \($0.path)" })
        #expect(served == documented, "served only: \(served.subtracting(documented)); documented only: \(documented.subtracting(served))")
    }

    @Test func theDocumentNamesTheSecurityOfEachRoute() throws {
        let document = try Self.document()
        let responder = OperatorServer.makeResponder(control: FakeReconcilerControl(), registry: PrometheusCollectorRegistry(), logger: Harness.quiet)
        for route in responder.routes {
            let requirement = document.root["paths"]?[route.path]?[route.method.lowercased()]?["security"]?.arrayValue?.first?.objectValue
            let security = requirement?.keys.first
            switch route.authentication {
            case "operatorToken":
                #expect(security == "operatorToken", "\(route.method) \(route.path)")
                // The scope is the least role the route needs.
                let scopes = requirement?["operatorToken"]?.arrayValue?.compactMap(\.stringValue)
                #expect(scopes == [route.role?.rawValue].compactMap { $0 }, "\(route.method) \(route.path)")
            case "none": #expect(security == nil, "\(route.method) \(route.path)")
            case let scheme: #expect(security == scheme, "\(route.method) \(route.path)")
            }
        }
    }

    @Test(arguments: OpenAPIConformanceTests.scenarios)
    func theServersAnswerMatchesTheDocument(_ scenario: Scenario) async throws {
        let document = try Self.document()
        let control = FakeReconcilerControl()
        scenario.prepare(control)
        try await Harness.test(control: control, configuration: scenario.configuration) { client in
            let response = try await client.execute(
                uri: scenario.uri, method: scenario.method, headers: scenario.headers,
                body: scenario.body.isEmpty ? nil : ByteBuffer(string: scenario.body))
            #expect(Int(response.status.code) == scenario.status, "\(scenario): got \(response.status.code) \(response.text)")
            if response.status == .methodNotAllowed {
                // Not an operation of the document: the path is, the method is not, and the answer
                // is the document's error schema with an Allow header listing what is.
                let item = try #require(document.root["paths"]?[scenario.path])
                #expect(item[scenario.method.rawValue.lowercased()] == nil)
                let allowed = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                #expect(allowed.isSuperset(of: item.objectValue?.keys.filter { ["get", "post"].contains($0) } ?? []))
                let body = try #require(response.json)
                #expect(document.checker.problems(body, against: ["$ref": "#/components/schemas/Error"]).isEmpty)
                return
            }
            let problems = document.problems(
                method: scenario.method.rawValue, path: scenario.path, status: Int(response.status.code),
                contentType: response.headers[.contentType], body: Array(response.body.readableBytesView))
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
    }

    @Test func anUnknownRouteAnswersWithTheDocumentedErrorSchema() async throws {
        let document = try Self.document()
        try await Harness.test { client in
            let response = try await client.execute(uri: "/does/not/exist", method: .get)
            let body = try #require(response.json)
            #expect(document.checker.problems(body, against: ["$ref": "#/components/schemas/Error"]).isEmpty)
        }
    }
}

/// The checker itself: it must be able to fail, or the conformance test proves nothing.
@Suite struct SchemaCheckerTests {
    static let status: JSONValue = ["$ref": "#/components/schemas/StatusDocument"]

    func statusJSON() throws -> JSONValue {
        try #require(JSONValue.parse(Array(try StatusDocument.encoder().encode(SampleEnvironment.document()))))
    }

    @Test func theSampleStatusDocumentConforms() throws {
        let document = try OpenAPIConformanceTests.document()
        #expect(document.checker.problems(try statusJSON(), against: Self.status).isEmpty)
    }

    @Test func aMissingRequiredPropertyIsReported() throws {
        guard case .object(var object) = try statusJSON() else {
            Issue.record("not an object")
            return
        }
        object["environment"] = nil
        let problems = try OpenAPIConformanceTests.document().checker.problems(.object(object), against: Self.status)
        #expect(problems == ["$: missing required property 'environment'"])
    }

    @Test func anUndocumentedPropertyIsReported() throws {
        guard case .object(var object) = try statusJSON() else {
            Issue.record("not an object")
            return
        }
        object["surprise"] = true
        let problems = try OpenAPIConformanceTests.document().checker.problems(.object(object), against: Self.status)
        #expect(problems == ["$: property 'surprise' is not in the schema"])
    }

    @Test(arguments: [
        (JSONValue.number(1), "$.environment: expected string, found number"),
        (JSONValue.null, "$.environment: expected string, found null"),
    ])
    func aWrongTypeIsReported(value: JSONValue, problem: String) throws {
        guard case .object(var object) = try statusJSON() else {
            Issue.record("not an object")
            return
        }
        object["environment"] = value
        #expect(try OpenAPIConformanceTests.document().checker.problems(.object(object), against: Self.status) == [problem])
    }

    @Test func aShortRevisionBreaksThePattern() throws {
        let checker = try OpenAPIConformanceTests.document().checker
        #expect(!checker.problems("77de68daecd8", against: ["$ref": "#/components/schemas/Revision"]).isEmpty)
        #expect(checker.problems(.string(SampleEnvironment.head), against: ["$ref": "#/components/schemas/Revision"]).isEmpty)
    }

    @Test func enumsConstsFormatsAndItemsAreChecked() throws {
        let checker = try OpenAPIConformanceTests.document().checker
        #expect(
            !checker.problems(
                ["revision": .string(SampleEnvironment.head), "source": "tag"],
                against: ["$ref": "#/components/schemas/StatusDocument/properties/desired"]
            ).isEmpty)
        #expect(!checker.problems(["status": "fine"], against: ["$ref": "#/components/schemas/Health"]).isEmpty)
        #expect(!checker.problems("yesterday", against: ["$ref": "#/components/schemas/Time"]).isEmpty)
        #expect(
            !checker.problems(
                ["entries": [["sequence": .number(1.5), "at": "2026-11-30T10:00:00.000Z", "kind": "pinned"]]],
                against: ["$ref": "#/components/schemas/HistoryAnswer"]
            ).isEmpty)
        #expect(!checker.problems("x", against: ["$ref": "#/components/schemas/Nope"]).isEmpty)
    }

    @Test func anUndocumentedStatusOrContentTypeIsReported() throws {
        let document = try OpenAPIConformanceTests.document()
        #expect(document.problems(method: "GET", path: "/healthz", status: 200, contentType: "text/plain", body: Array("ok".utf8)).count == 1)
        let small = try OpenAPIDocument(
            yaml: """
                openapi: 3.1.0
                paths:
                  /x:
                    get:
                      responses:
                        '200':
                          description: ok
                          content:
                            application/json:
                              schema: { type: object, required: [a], properties: { a: { type: integer } } }
                """)
        #expect(small.problems(method: "GET", path: "/x", status: 200, contentType: "application/json", body: Array(#"{"a":1}"#.utf8)).isEmpty)
        #expect(
            small.problems(method: "GET", path: "/x", status: 418, contentType: "application/json", body: Array("{}".utf8)) == [
                "GET /x → 418: status 418 is not documented"
            ])
        #expect(
            small.problems(method: "GET", path: "/x", status: 200, contentType: "application/json", body: Array(#"{"a":1.5}"#.utf8)) == [
                "GET /x → 200: body.a: expected integer, found number"
            ])
        #expect(
            small.problems(method: "POST", path: "/x", status: 200, contentType: "application/json", body: []) == [
                "POST /x → 200: the document has no such operation"
            ])
        #expect(
            document.problems(method: "GET", path: "/status", status: 200, contentType: "application/json", body: Array("not json".utf8)) == [
                "GET /status → 200: the body is not JSON"
            ])
        #expect(!document.problems(method: "GET", path: "/elsewhere", status: 200, contentType: "application/json", body: []).isEmpty)
        #expect(
            !document.problems(
                method: "GET", path: "/status", status: 200, contentType: "application/json", body: Array(#"{"environment":"staging"}"#.utf8)
            ).isEmpty)
    }
}
