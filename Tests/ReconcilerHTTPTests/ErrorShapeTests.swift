import ClipnetJSON
import ClipnetLogging
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import Testing

@Suite struct ErrorShapeTests {
    /// An error whose text holds what must never reach a client: an internal path.
    struct LeakyError: Error, CustomStringConvertible {
        var description: String { "open /var/lib/reconciler/state/staging.json: permission denied" }
    }

    @Test func anUnknownRouteIsA404InTheErrorShape() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/nowhere?x=1", method: .get)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "not_found")
            #expect(Self.isErrorShape(response))
        }
    }

    @Test func aWrongMethodIsA405ListingTheAllowedOnes() async throws {
        try await Harness.test { client in
            let onRead = try await client.execute(uri: "/status", method: .post, headers: Harness.authorized)
            #expect(onRead.status == .methodNotAllowed)
            #expect(onRead.errorCode == "method_not_allowed")
            #expect(onRead.headers[.allow] == "GET, HEAD")
            #expect(Self.isErrorShape(onRead))

            let onWrite = try await client.execute(uri: "/pin", method: .get)
            #expect(onWrite.status == .methodNotAllowed)
            #expect(onWrite.headers[.allow] == "POST")
        }
    }

    @Test func anUnexpectedFailureIsA500WithoutDetailAndIsLogged() async throws {
        let control = FakeReconcilerControl()
        control.fail(.plan, with: LeakyError())
        control.fail(.pin, with: LeakyError())
        let (logger, capture) = Harness.capturing()
        try await Harness.test(control: control, logger: logger) { client in
            for (path, method, body) in [("/plan", HTTPRequest.Method.get, ""), ("/pin", .post, #"{"revision":"a","reason":"b"}"#)] {
                let response = try await client.execute(uri: path, method: method, headers: Harness.authorized, body: Harness.body(body))
                #expect(response.status == .internalServerError)
                #expect(response.errorCode == "internal_error")
                #expect(Self.isErrorShape(response))
                #expect(!response.text.contains("/var/lib"))
                #expect(!response.text.contains("permission denied"))
                #expect(!response.text.contains("LeakyError"))
            }
        }
        #expect(capture.lines.contains { $0.contains("LeakyError") && $0.contains("\"http.path\":\"/plan\"") })
    }

    @Test func everyRefusalHasExactlyCodeAndMessage() async throws {
        let requests: [(String, HTTPRequest.Method, HTTPFields, String)] = [
            ("/nope", .get, [:], ""),
            ("/status", .delete, [:], ""),
            ("/pin", .post, [:], "{}"),
            ("/pin", .post, Harness.authorized, "{"),
            ("/pin", .post, Harness.authorized, "{}"),
            ("/pin", .post, Harness.authorized, #"{"revision":"zzzz","reason":"x"}"#),
            ("/history?limit=x", .get, [:], ""),
            ("/webhooks/github", .post, [:], "{}"),
        ]
        try await Harness.test { client in
            for (path, method, headers, body) in requests {
                let response = try await client.execute(uri: path, method: method, headers: headers, body: Harness.body(body))
                #expect(response.status.code >= 400, "\(method) \(path)")
                #expect(Self.isErrorShape(response), "\(method) \(path): \(response.text)")
            }
        }
    }

    /// `{"error":{"code":"snake_case","message":"…"}}` and nothing else, as JSON.
    static func isErrorShape(_ response: TestResponse) -> Bool {
        guard response.contentType == "application/json; charset=utf-8",
            case .object(let outer)? = response.json, outer.count == 1,
            case .object(let inner)? = outer["error"], Set(inner.keys) == ["code", "message"],
            let code = inner["code"]?.stringValue, code.allSatisfy({ $0.isLowercase || $0 == "_" }),
            let message = inner["message"]?.stringValue, !message.isEmpty
        else { return false }
        return true
    }
}
