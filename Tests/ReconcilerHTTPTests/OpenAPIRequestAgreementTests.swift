import ClipnetJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReconcilerTestSupport
import Testing

/// The other half of the conformance test: what docs/openapi.yaml says a request may hold is what
/// the server accepts. Each request below is checked against the document's schema first, and
/// the server must refuse (400) exactly the ones the document refuses.
@Suite struct OpenAPIRequestAgreementTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let path: String
        let schema: String
        let body: String
        var testDescription: String { "\(path) \(body.prefix(60))" }
    }

    static let longRevision = String(repeating: "a", count: 256)
    static let limitRevision = String(repeating: "a", count: 255)

    static let cases: [Case] = [
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#),
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"","reason":"hold"}"#),
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"a b","reason":"hold"}"#),
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"a\u0001","reason":"hold"}"#),
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"é","reason":"hold"}"#),
        Case(path: "/pin", schema: "PinRequest", body: #"{"revision":"\#(longRevision)","reason":"hold"}"#),
        Case(
            path: "/pin", schema: "PinRequest",
            body: #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold","by":"\#(String(repeating: "b", count: 64))"}"#),
        Case(
            path: "/pin", schema: "PinRequest",
            body: #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold","by":"\#(String(repeating: "b", count: 65))"}"#),
        Case(path: "/rollback", schema: "RollbackRequest", body: #"{"reason":"broken","to":""}"#),
        Case(path: "/rollback", schema: "RollbackRequest", body: #"{"reason":"broken","to":"\#(longRevision)"}"#),
        Case(path: "/rollback", schema: "RollbackRequest", body: #"{"reason":"broken","to":"a b"}"#),
        Case(path: "/unpin", schema: "UnpinRequest", body: #"{"by":"\#(String(repeating: "b", count: 65))"}"#),
        Case(path: "/reconcile", schema: "ReconcileRequest", body: #"{"by":"\#(String(repeating: "b", count: 65))"}"#),
    ]

    @Test(arguments: cases)
    func theServerRefusesExactlyTheBodiesTheDocumentRefuses(_ request: Case) async throws {
        let document = try OpenAPIConformanceTests.document()
        let body = try #require(JSONValue.parse(Array(request.body.utf8)))
        let refusedByDocument = !document.checker.problems(body, against: ["$ref": .string("#/components/schemas/\(request.schema)")]).isEmpty
        try await Harness.test { client in
            let response = try await client.execute(
                uri: request.path, method: .post, headers: Harness.authorized, body: ByteBuffer(string: request.body))
            if refusedByDocument {
                #expect(response.status == .badRequest, "\(response.status) \(response.text)")
            } else {
                #expect(response.status != .badRequest, "\(response.status) \(response.text)")
            }
        }
    }

    @Test func theActorHeaderLimitIsTheDocumentsLimit() async throws {
        let document = try OpenAPIConformanceTests.document()
        let limit = try #require(document.root["components"]?["parameters"]?["Actor"]?["schema"]?["maxLength"]?.numberValue).rounded()
        let body = #"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#
        try await Harness.test { client in
            for (length, expected) in [(Int(limit), HTTPResponse.Status.ok), (Int(limit) + 1, .badRequest)] {
                var headers = Harness.authorized
                headers[HTTPField.Name("X-Reconciler-Actor")!] = String(repeating: "o", count: length)
                let response = try await client.execute(uri: "/pin", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == expected, "\(length) characters: \(response.status) \(response.text)")
            }
        }
    }

    @Test func aRevisionAtTheLimitReachesTheDaemon() async throws {
        try await Harness.test { client in
            let response = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: ByteBuffer(string: #"{"revision":"\#(Self.limitRevision)","reason":"hold"}"#))
            // The fake daemon does not know it: refused by the daemon (422), not by the size rule.
            #expect(response.status == .unprocessableContent, "\(response.status) \(response.text)")
        }
    }
}
