import HTTPTransport
import TestSupport
import Testing

@Suite struct HTTPClientRequestTests {
    let runtime: CurlRuntime

    init() throws {
        runtime = try CurlRuntime()
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try LoopbackHTTPServer { request in
            .respond(.text("hello from \(request.path)"))
        }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/v1/health?verbose=1"))
        #expect(response.status == 200)
        #expect(response.isSuccess)
        #expect(response.text == "hello from /v1/health?verbose=1")
        #expect(response.header("content-type") == "text/plain; charset=utf-8")
        #expect(response.duration >= .zero)
        #expect(server.requests.first?.method == "GET")
    }

    @Test func postSendsHeadersAndBodyExactly() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.json(#"{"id":"dpl_1"}"#, status: 201)) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let json = Array(#"{"name":"clipnet-api","gitSource":{"ref":"develop","sha":"0123abc"},"note":"é\u{0}"}"#.utf8)
        let response = try await client.send(
            HTTPRequest(
                method: .post,
                url: server.baseURL + "/v13/deployments?teamId=team_1",
                headers: ["Content-Type": "application/json", "Authorization": "Bearer tok", "X-Request-Id": "r-1"],
                body: json
            ))
        #expect(response.status == 201)
        #expect(response.text == #"{"id":"dpl_1"}"#)
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/v13/deployments?teamId=team_1")
        #expect(received.body == json)
        #expect(received.header("content-type") == "application/json")
        #expect(received.header("authorization") == "Bearer tok")
        #expect(received.header("x-request-id") == "r-1")
        #expect(received.header("content-length") == "\(json.count)")
        #expect(received.header("expect") == nil)
    }

    @Test func bodyWithoutContentTypeIsNotSentAsAForm() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.text("ok")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        _ = try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/raw", body: [1, 2, 3]))
        let received = try #require(server.requests.first)
        #expect(received.body == [1, 2, 3])
        #expect(received.header("content-type") == nil)
    }

    @Test(arguments: [HTTPMethod.patch, .put, .delete])
    func otherMethodsCarryTheirBody(method: HTTPMethod) async throws {
        let server = try LoopbackHTTPServer { request in .respond(.text("\(request.method) \(request.body.count)")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(
            HTTPRequest(
                method: method,
                url: server.baseURL + "/v9/projects/p/env/e",
                headers: ["Content-Type": "application/json"],
                body: Array(#"{"value":"x"}"#.utf8)
            ))
        #expect(response.text == "\(method.rawValue) 13")
        #expect(server.requests.first?.body == Array(#"{"value":"x"}"#.utf8))
    }

    @Test func deleteWithoutBodySendsNoBody() async throws {
        let server = try LoopbackHTTPServer { request in .respond(Response(status: 204)) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(method: .delete, url: server.baseURL + "/v9/projects/p/env/e"))
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        let received = try #require(server.requests.first)
        #expect(received.method == "DELETE")
        #expect(received.body.isEmpty)
    }

    @Test func postWithoutBodySendsAnEmptyBody() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.text("ok")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        _ = try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/redeploy"))
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.header("content-length") == "0")
    }

    @Test(arguments: [404, 429, 500, 503])
    func errorStatusesAreResponsesNotErrors(status: Int) async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.json(#"{"error":{"code":"x"}}"#, status: status)) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/missing"))
        #expect(response.status == status)
        #expect(!response.isSuccess)
        #expect(response.text == #"{"error":{"code":"x"}}"#)
    }

    @Test func repeatedResponseHeadersAreAllKeptAndLookedUpIgnoringCase() async throws {
        let server = try LoopbackHTTPServer { _ in
            .respond(
                Response(headers: [
                    .init("Set-Cookie", "a=1"),
                    .init("X-RateLimit-Remaining", "99"),
                    .init("set-cookie", "b=2"),
                ]))
        }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/"))
        #expect(response.headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        #expect(response.header("x-ratelimit-remaining") == "99")
        #expect(response.header("X-RATELIMIT-REMAINING") == "99")
        #expect(response.header("Content-Length") == "0")
        #expect(response.header("X-Missing") == nil)
    }

    @Test func repeatedRequestHeadersAreAllSent() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(.text("ok")) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        var headers = HTTPHeaders()
        headers.add("X-Tag", "one")
        headers.add("x-tag", "two")
        headers.add("X-Empty", "")
        _ = try await client.send(HTTPRequest(url: server.baseURL + "/", headers: headers))
        let received = try #require(server.requests.first)
        #expect(received.headerValues("X-Tag") == ["one", "two"])
        #expect(received.headerValues("X-Empty") == [""])
    }

    @Test func fiveMegabyteBodiesRoundTrip() async throws {
        let server = try LoopbackHTTPServer { request in .respond(Response(body: request.body.reversed())) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let body = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let response = try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/echo", body: body, timeout: .seconds(60)))
        #expect(response.status == 200)
        #expect(response.body.count == body.count)
        #expect(response.body == body.reversed())
        #expect(server.requests.first?.body == body)
    }

    @Test func headRequestReturnsHeadersWithoutBody() async throws {
        let server = try LoopbackHTTPServer { _ in .respond(Response(headers: [.init("X-Version", "abc123")])) }
        defer { server.stop() }
        let client = HTTPClient(runtime: runtime)
        let response = try await client.send(HTTPRequest(method: .head, url: server.baseURL + "/version"))
        #expect(response.status == 200)
        #expect(response.header("x-version") == "abc123")
        #expect(server.requests.first?.method == "HEAD")
    }
}

typealias Response = LoopbackHTTPServer.Response
