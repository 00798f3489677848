import ClipnetContracts
import Foundation
import HTTPTransport
import KnownGoodStore
import Reconciler
import ReconcilerClient
import ReconcilerHTTP
import ReconcilerTestSupport
import TestSupport
import Testing

enum ClientFixture {
    static let token = "operator-canary-token-41c9e7a2d5f8"
    static let runtime: CurlRuntime = try! CurlRuntime()
    static let http = HTTPClient(runtime: runtime)
    static var configuration: OperatorServerConfiguration { OperatorServerConfiguration(operatorToken: token) }

    static func client(_ server: RunningOperatorServer, token: String? = ClientFixture.token, actor: String? = "alice") -> OperatorClient {
        OperatorClient(server: server.baseURL, token: token, actor: actor, http: http, timeout: .seconds(60))
    }
}

@Suite struct OperatorClientTests {
    @Test func statusReturnsTheDocumentAndItsRawJSON() async throws {
        let control = FakeReconcilerControl()
        try await RunningOperatorServer.with(control: control, configuration: ClientFixture.configuration) { server in
            let (document, json) = try await ClientFixture.client(server).status()
            #expect(document == control.status().document)
            #expect(json == Array(try StatusDocument.encoder().encode(document)))
        }
    }

    @Test func pinUnpinRollbackAndRetryReachTheDaemonWithWhoIsActing() async throws {
        let control = FakeReconcilerControl()
        try await RunningOperatorServer.with(control: control, configuration: ClientFixture.configuration) { server in
            let client = ClientFixture.client(server)
            let pin = try await client.pin(String(SampleEnvironment.knownGood.prefix(8)), reason: "hold", force: false)
            #expect(pin.revision == SampleEnvironment.knownGood)
            let following = try await client.unpin(reason: "done")
            #expect(following == "develop")
            let target = try await client.rollback(to: nil, reason: "broken checkout")
            #expect(target.revision == SampleEnvironment.previousKnownGood)
            try await client.reconcile(retry: true)
            let kinds = try await client.history(limit: 2).map(\.kind)
            #expect(kinds == [.retried, .rolledBack])
            let environment = try await client.plan().environment
            #expect(environment == "staging")
        }
        #expect(
            control.calls == [
                .pin(revision: String(SampleEnvironment.knownGood.prefix(8)), reason: "hold", by: "alice", force: false),
                .unpin(reason: "done", by: "alice"),
                .rollback(to: nil, reason: "broken checkout", by: "alice"),
                .reconcile(retry: true, by: "alice"),
            ])
    }

    @Test func aRefusalCarriesTheDaemonsCodeAndMessageAndExitsWith1() async throws {
        try await RunningOperatorServer.with(control: FakeReconcilerControl(), configuration: ClientFixture.configuration) { server in
            let error = await #expect(throws: OperatorClientError.self) {
                try await ClientFixture.client(server).pin(SampleEnvironment.featureRevision, reason: "x", force: false)
            }
            #expect(error?.kind == .refused(status: 409, code: "not_on_branch"))
            #expect(error?.message.contains("not on branch develop") == true)
            #expect(error?.exitCode == 1)
        }
    }

    @Test func withoutATokenTheMessageSaysWhereOneComesFrom() async throws {
        try await RunningOperatorServer.with(control: FakeReconcilerControl(), configuration: ClientFixture.configuration) { server in
            let error = await #expect(throws: OperatorClientError.self) {
                try await ClientFixture.client(server, token: nil).reconcile(retry: false)
            }
            #expect(error?.kind == .refused(status: 401, code: "unauthorized"))
            #expect(error?.message.contains("RECONCILER_TOKEN") == true)
        }
    }

    /// An answer as the reconciler gives it: with its marker header.
    static func marked(_ response: LoopbackHTTPServer.Response) -> LoopbackHTTPServer.Response {
        var response = response
        response.headers.append(.init("X-Reconciler-API", "1"))
        return response
    }

    @Test func theTokenIsSentOnlyToMutatingRoutes() async throws {
        let recorder = try LoopbackHTTPServer { request in
            if request.path.hasPrefix("/status") {
                return .respond(
                    Self.marked(.json(String(decoding: try! StatusDocument.encoder().encode(SampleEnvironment.document()), as: UTF8.self))))
            }
            return .respond(Self.marked(.json(#"{"requested":"reconcile","retry":false}"#, status: 202)))
        }
        defer { recorder.stop() }
        let client = OperatorClient(server: recorder.baseURL + "/", token: ClientFixture.token, actor: "alice", http: ClientFixture.http)
        _ = try await client.status()
        try await client.reconcile(retry: false)
        let requests = recorder.requests
        try #require(requests.map(\.path) == ["/status", "/reconcile"])
        #expect(requests[0].header("Authorization") == nil)
        #expect(requests[1].header("Authorization") == "Bearer \(ClientFixture.token)")
        #expect(requests[1].header("X-Reconciler-Actor") == "alice")
    }

    @Test func aClosedPortIsUnreachableAndExitsWith3() async throws {
        let port = try UnusedLoopbackPort.make()
        let client = OperatorClient(server: "http://127.0.0.1:\(port)", token: nil, actor: nil, http: ClientFixture.http)
        let error = await #expect(throws: OperatorClientError.self) { try await client.status() }
        #expect(error?.kind == .unreachable)
        #expect(error?.exitCode == 3)
    }

    @Test func somethingElseAnsweringIsNotMistakenForTheDaemon() async throws {
        let other = try LoopbackHTTPServer { _ in
            .respond(.init(status: 200, headers: [.init("Content-Type", "text/html")], body: Array("<html>hello</html>".utf8)))
        }
        defer { other.stop() }
        let client = OperatorClient(server: other.baseURL, token: nil, actor: nil, http: ClientFixture.http)
        let error = await #expect(throws: OperatorClientError.self) { try await client.status() }
        #expect(error?.kind == .unexpectedAnswer(status: 200))
        #expect(error?.exitCode == 3)

        let failing = try LoopbackHTTPServer { _ in .respond(.text("Bad Gateway", status: 502)) }
        defer { failing.stop() }
        let proxied = OperatorClient(server: failing.baseURL, token: nil, actor: nil, http: ClientFixture.http)
        let gateway = await #expect(throws: OperatorClientError.self) { try await proxied.history(limit: 5) }
        #expect(gateway?.kind == .unexpectedAnswer(status: 502))
    }
}
