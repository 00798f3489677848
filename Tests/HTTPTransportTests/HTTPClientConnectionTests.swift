import HTTPTransport
import TestSupport
import Testing

@Suite struct HTTPClientConnectionTests {
    let runtime: CurlRuntime

    init() throws {
        runtime = try CurlRuntime()
    }

    @Test func fiftyConcurrentRequestsAllSucceed() async throws {
        let server = try LoopbackHTTPServer { request in .respondAfter(.milliseconds(5), .text(request.path)) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime, configuration: .init(concurrency: 4))
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let response = try await client.send(HTTPRequest(url: server.baseURL + "/item/\(index)"))
                    return (index, response.text)
                }
            }
            var bodies: [Int: String] = [:]
            for try await (index, text) in group { bodies[index] = text }
            return bodies
        }
        #expect(bodies.count == 50)
        for index in 0..<50 { #expect(bodies[index] == "/item/\(index)") }
        #expect(server.requests.count == 50)
        #expect(server.acceptedConnections <= 4)  // one kept-alive connection per lane at most
    }

    @Test func sequentialRequestsReuseTheConnection() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.text("ok")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        for _ in 0..<10 {
            #expect(try await client.send(HTTPRequest(url: server.baseURL + "/ping")).status == 200)
        }
        #expect(server.requests.count == 10)
        #expect(server.acceptedConnections < 10)
        #expect(server.acceptedConnections == 1)
    }

    @Test func aConnectionClosedByTheServerIsReplaced() async throws {
        let server = try LoopbackHTTPServer { request in
            .respond(Response(headers: [.init("Connection", "close")], body: Array(request.path.utf8)))
        }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        for index in 0..<3 {
            #expect(try await client.send(HTTPRequest(url: server.baseURL + "/\(index)")).text == "/\(index)")
        }
        #expect(server.requests.count == 3)
        #expect(server.acceptedConnections == 3)
    }
}
