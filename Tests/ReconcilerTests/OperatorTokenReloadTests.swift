import Foundation
import HTTPTransport
import ReconcilerHTTP
import StagingSandbox
import TestSupport
import Testing

/// The real daemon with a token file: a token issued after start works once the daemon got
/// SIGHUP, a revoked one stops working, and history records the token's name.
@Suite(.serialized) struct OperatorTokenReloadTests {
    @Test func sighupLoadsIssuedAndRevokedTokensAndHistoryNamesTheToken() async throws {
        let sandbox = try await StagingSandbox.start(.init(manifestsDirectory: Scenario.manifests, redisURL: nil))
        defer { Task { await sandbox.stop() } }
        let tokensPath = sandbox.root + "/operator-tokens.json"
        var file = OperatorTokenFile()
        let alice = try file.issue(name: "alice", role: .operator)
        try file.save(path: tokensPath)
        let port = try UnusedLoopbackPort.make()
        let config = try sandbox.writeDaemonConfiguration(
            sandbox.daemonConfiguration(listen: "127.0.0.1:\(port)") + "operatorTokensFile: \(tokensPath)\n")
        let daemon = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        do {
            try await Self.exercise(daemon: daemon, port: port, tokensPath: tokensPath, alice: alice)
        } catch {
            _ = await daemon.terminate()
            throw error
        }
        _ = await daemon.terminate()
    }

    static func exercise(daemon: DaemonProcess, port: Int, tokensPath: String, alice: String) async throws {
        try await daemon.waitUntilRunning()

        let client = HTTPClient(runtime: try CurlRuntime())
        @Sendable func reconcile(_ token: String) async throws -> HTTPResponse {
            try await client.send(
                HTTPRequest(
                    method: .post, url: "http://127.0.0.1:\(port)/reconcile?retry=1",
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "X-Reconciler-Actor": "someone-else"],
                    body: Array("{}".utf8)))
        }
        #expect(await eventually(within: .seconds(30)) { (try? await reconcile(alice))?.status == 202 })

        var file = try OperatorTokenFile.load(path: tokensPath)
        let bob = try file.issue(name: "bob", role: .operator)
        try file.revoke(name: "alice")
        try file.save(path: tokensPath)
        #expect(try await reconcile(bob).status == 401, "not loaded before SIGHUP")
        #expect(try await reconcile(alice).status == 202, "still loaded before SIGHUP")

        kill(daemon.pid, SIGHUP)
        #expect(await eventually(within: .seconds(30)) { (try? await reconcile(bob))?.status == 202 })
        let refused = try await reconcile(alice)
        #expect(refused.status == 401 && refused.text.contains("token_revoked"), "\(refused.text)")

        let history = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/history?limit=50"))
        #expect(history.text.contains(#""by":"alice""#) && history.text.contains(#""by":"bob""#), "\(history.text)")
        #expect(!history.text.contains("someone-else"), "the header's label is not the identity")
    }
}
