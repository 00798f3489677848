import Foundation
import HTTPTransport
import TestSupport
import Testing

@Suite struct HTTPClientFailureTests {
    let runtime: CurlRuntime

    init() throws {
        runtime = try CurlRuntime()
    }

    @Test func wholeRequestTimeoutIsTimedOut() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(300)))
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isRetryable == true)
    }

    @Test func delayedResponseWithinTheTimeoutArrives() async throws {
        let server = try LoopbackHTTPServer { _ in .respondAfter(.milliseconds(200), .text("late but fine")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/", timeout: .seconds(10)))
        #expect(response.text == "late but fine")
    }

    @Test func connectionRefusedIsRetryableCouldNotConnect() async throws {
        let port = try UnusedLoopbackPort.make()
        let client = HTTPClient(runtime: runtime)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        }
        #expect(error?.code == .couldNotConnect)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("GET http://127.0.0.1:\(port)/") == true)
    }

    @Test func serverClosingWithoutAResponseIsReceiveFailed() async throws {
        let server = try LoopbackHTTPServer { _ in .closeConnection }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let error = await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/"))
        }
        // libcurl reports CURLE_GOT_NOTHING ("Empty reply from server").
        #expect(error?.code == .receiveFailed)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("Empty reply") == true)
    }

    @Test func responseOverTheSizeCapFails() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(Response(body: Array(repeating: 0x61, count: 10_000))) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime, configuration: .init(maximumResponseSize: 4_096))
        let error = await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/big"))
        }
        #expect(error?.code == .responseTooLarge)
        #expect(error?.isRetryable == false)
        // Exactly at the cap is fine, and the client stays usable.
        let fits = HTTPClient(runtime: runtime, configuration: .init(maximumResponseSize: 10_000))
        #expect(try await fits.send(HTTPRequest(url: server.baseURL + "/big")).body.count == 10_000)
    }

    @Test func secretsNeverAppearInErrors() async throws {
        let hanging = try LoopbackHTTPServer { _ in .hang }
        let closing = try LoopbackHTTPServer { _ in .closeConnection }
        defer {
            hanging.stop()
            closing.stop()
        }
        let refusedPort = try UnusedLoopbackPort.make()
        let client = HTTPClient(runtime: runtime)
        let canary = "canary-secret"
        let urls = [
            "http://127.0.0.1:\(refusedPort)/v2/me",
            hanging.baseURL + "/v2/me",
            closing.baseURL + "/v2/me",
            "http://deploy:\(canary)@127.0.0.1:\(refusedPort)/x?token=\(canary)",
            "http://no-such-host.invalid/?key=\(canary)",
        ]
        for url in urls {
            let request = HTTPRequest(
                method: .post,
                url: url,
                headers: ["Authorization": "Bearer \(canary)", "X-Api-Token": canary],
                body: Array("{\"secret\":\"\(canary)\"}".utf8),
                timeout: .milliseconds(300)
            )
            #expect(!request.description.contains(canary))
            #expect(!request.headers.description.contains(canary))
            var dumped = ""
            dump(request, to: &dumped)
            #expect(!dumped.contains(canary))
            let error = await #expect(throws: HTTPTransportError.self) { try await client.send(request) }
            for text in [error.map { "\($0)" }, error.map { String(reflecting: $0) }, error?.message, error?.localizedDescription] {
                #expect(text?.contains(canary) == false, "leaked by \(url.replacing(canary, with: "<canary>"))")
            }
        }
    }

    @Test(arguments: ["ftp://example.com/file", "file:///etc/passwd", "http://host/with space", "example.com/no-scheme"])
    func nonHTTPOrMalformedURLsAreInvalidRequests(url: String) async throws {
        let client = HTTPClient(runtime: runtime)
        let error = await #expect(throws: HTTPTransportError.self) { try await client.send(HTTPRequest(url: url)) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.isRetryable == false)
    }

    @Test func headerInjectionIsRefusedBeforeSending() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.text("ok")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        for headers: HTTPHeaders in [["X-Note": "a\r\nX-Injected: 1"], ["Bad Name": "v"], ["X-Colon:": "v"]] {
            let error = await #expect(throws: HTTPTransportError.self) {
                try await client.send(HTTPRequest(url: server.baseURL + "/", headers: headers))
            }
            #expect(error?.code == .invalidRequest)
        }
        #expect(server.requests.isEmpty)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try LoopbackHTTPServer { _ in .hang }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let task = Task {
            try await client.send(HTTPRequest(url: server.baseURL + "/hang", timeout: .seconds(120)))
        }
        // Wait until the request reached the server, so the cancel hits a running transfer.
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
