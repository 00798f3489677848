import Foundation
import StagingSandbox
import TestSupport
import Testing

/// The operator port against clients that misbehave, through the real `reconciler` binary: no
/// request, however it ends, leaves a descriptor behind, and slow or broken clients are cut off
/// with the API's JSON error shape where an answer is possible.
@Suite(.serialized) struct ConnectionHardeningTests {
    static let webhookSecret = "hardening-webhook-secret-0123"

    /// A daemon over a sandbox with short connection bounds, and its port.
    static func withDaemon(_ body: (SpawnedDaemon, Int) async throws -> Void) async throws {
        let sandbox = try await StagingSandbox.start(.init(manifestsDirectory: Scenario.manifests, redisURL: nil))
        defer { Task { await sandbox.stop() } }
        // Port 0: the daemon binds a free port and prints it (a port picked here could be handed
        // to another test meanwhile).
        let configuration =
            sandbox.daemonConfiguration(listen: "127.0.0.1:0", pollInterval: "1s", driftInterval: "60s")
                + """
                http:
                  idleTimeout: 1s
                  requestTimeout: 2s
                  lingerTimeout: 300ms
                  maxConnections: 64

                """
        let path = try sandbox.writeDaemonConfiguration(configuration)
        var environment = sandbox.environment
        environment["LOG_LEVEL"] = "error"
        environment["RECONCILER_TOKEN"] = "hardening-operator-token-0123"
        environment["GITHUB_WEBHOOK_SECRET"] = webhookSecret
        let daemon = try SpawnedDaemon(configurationPath: path, environment: environment, logPath: sandbox.root + "/daemon.log")
        defer { daemon.stop() }
        let listening = await eventually(within: .seconds(60)) { daemon.listeningPort != nil || !daemon.isRunning }
        let port = try #require(listening ? daemon.listeningPort : nil, "the daemon did not start: \(daemon.output)")
        let up = await eventually(within: .seconds(60)) { healthy(port) || !daemon.isRunning }
        try #require(up && daemon.isRunning, "the daemon did not answer: \(daemon.output)")
        try await body(daemon, port)
    }

    static func healthy(_ port: Int) -> Bool {
        guard let client = try? RawHTTPClient(port: port) else { return false }
        client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        return RawHTTPClient.status(of: client.readAnswer()) == 200
    }

    /// Whether the daemon's first rollout (the sandbox's manifests commit) has finished: until
    /// then its phases open platform connections between polls seconds apart.
    static func firstRolloutDone(_ port: Int) -> Bool {
        guard let client = try? RawHTTPClient(port: port) else { return false }
        client.send("GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let body = RawHTTPClient.body(of: client.readAnswer())
        return body.contains(#""knownGood":{"#) && body.contains(#""phase":"succeeded""#)
    }

    /// The daemon's descriptor count once its start-up work (first fetch, the first rollout,
    /// platform connections) is done: the same in three samples a second apart, taken after the
    /// first rollout finished (a rollout waiting between polls also looks settled for seconds).
    static func settledDescriptors(_ daemon: SpawnedDaemon, port: Int) async -> Int {
        _ = await eventually(within: .seconds(120)) { firstRolloutDone(port) }
        var samples: [Int] = []
        _ = await eventually(within: .seconds(60)) {
            samples.append(daemon.openDescriptors)
            try? await Task.sleep(for: .seconds(1))
            return samples.count >= 3 && Set(samples.suffix(3)).count == 1
        }
        return samples.last ?? -1
    }

    @Test func earlyAnswersToHugeBodiesLeaveNoDescriptorBehind() async throws {
        try await Self.withDaemon { daemon, port in
            #expect(Self.healthy(port))
            let descriptorsBefore = await Self.settledDescriptors(daemon, port: port)
            let connectionsBefore = daemon.connections(onLocalPort: port)
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
            var statuses: [Int: Int] = [:]
            for attempt in 0..<300 {
                let client = try RawHTTPClient(port: port)
                let path = attempt % 2 == 0 ? "/webhooks/github" : "/pin"
                client.send(
                    "POST \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(10 << 20)\r\n\r\n")
                client.sendWithoutWaiting(chunk)
                let answer = client.readAnswer()
                statuses[RawHTTPClient.status(of: answer) ?? 0, default: 0] += 1
                if attempt % 50 == 49 { #expect(Self.healthy(port), "/healthz stopped answering after \(attempt + 1) requests") }
            }
            #expect(statuses == [413: 150, 401: 150])
            #expect(Self.healthy(port))
            // Lingering connections close within the linger bound; then the count is back.
            var descriptorsAfter = daemon.openDescriptors
            _ = await eventually(within: .seconds(30)) {
                descriptorsAfter = daemon.openDescriptors
                return descriptorsAfter <= descriptorsBefore && daemon.connections(onLocalPort: port) <= connectionsBefore
            }
            #expect(descriptorsAfter <= descriptorsBefore, "descriptors before \(descriptorsBefore), after \(descriptorsAfter)")
            #expect(daemon.connections(onLocalPort: port) == connectionsBefore)
        }
    }

    @Test func aClientTricklingItsBodyIsCutOff() async throws {
        try await Self.withDaemon { daemon, port in
            let client = try RawHTTPClient(port: port)
            client.send("POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n")
            var sent = 0
            // One byte every 50 ms would take 30 s; the request timeout is 2 s.
            while sent < 600, client.send("x") {
                sent += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sent < 600, "the whole trickled body was accepted")
            let answer = client.readAnswer()
            if !answer.isEmpty {
                #expect(RawHTTPClient.status(of: answer) == 408)
                #expect(RawHTTPClient.body(of: answer).contains("\"request_timeout\""))
            }
            #expect(Self.healthy(port))
        }
    }

    @Test func anIdleOrSlowHeadedClientIsCutOff() async throws {
        try await Self.withDaemon { daemon, port in
            let idle = try RawHTTPClient(port: port)
            #expect(idle.peerClosed(), "an idle connection stayed open")
            let slow = try RawHTTPClient(port: port)
            var sent = 0
            for byte in "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: \(String(repeating: "p", count: 400))\r\n\r\n".utf8 {
                guard slow.send([byte]) else { break }
                sent += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sent < 400, "a head trickled in one byte at a time was read to the end")
            #expect(Self.healthy(port))
        }
    }

    static let brokenRequests: [(name: String, request: String, status: Int)] = [
        ("bad Content-Length", "POST /reconcile HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12abc\r\n\r\n", 400),
        ("two Content-Lengths", "POST /reconcile HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("space before the colon", "GET /healthz HTTP/1.1\r\nHost : localhost\r\n\r\n", 400),
        ("oversize headers", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "b", count: 40_000))\r\n\r\n", 431),
        ("bad chunk size", "POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ]

    @Test func parserErrorsAreAnsweredWithTheJSONErrorShapeAndClosed() async throws {
        try await Self.withDaemon { daemon, port in
            for broken in Self.brokenRequests {
                let client = try RawHTTPClient(port: port)
                client.send(broken.request)
                let answer = client.readAnswer()
                #expect(RawHTTPClient.status(of: answer) == broken.status, "\(broken.name): \(answer.prefix(200))")
                let body = RawHTTPClient.body(of: answer)
                #expect(body.hasPrefix("{\"error\":{\"code\":"), "\(broken.name): \(body.prefix(200))")
                #expect(client.peerClosed(), "\(broken.name): the connection stayed open")
            }
            #expect(Self.healthy(port))
        }
    }

    @Test func aClientAbortingMidBodyIsNoServerError() async throws {
        try await Self.withDaemon { daemon, port in
            for _ in 0..<20 {
                let client = try RawHTTPClient(port: port)
                client.send(
                    "POST /webhooks/github HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"ref\":")
                shutdown(client.descriptor, Int32(SHUT_WR))
                let answer = client.readAnswer()
                if let status = RawHTTPClient.status(of: answer) { #expect((400..<500).contains(status), "\(answer.prefix(200))") }
            }
            #expect(Self.healthy(port))
            #expect(!daemon.output.contains("Operator API request failed"), "\(daemon.output)")
        }
    }
}
