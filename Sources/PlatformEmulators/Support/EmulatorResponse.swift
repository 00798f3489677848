public import ClipnetJSON

/// What an emulator answers: status, headers and a body, independent of the HTTP server.
public struct EmulatorResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer with `Content-Type: application/json`.
    public static func json(_ value: JSONValue, status: Int = 200, headers: [String: String] = [:]) -> EmulatorResponse {
        var headers = headers
        headers["Content-Type"] = "application/json; charset=utf-8"
        return EmulatorResponse(status: status, headers: headers, body: value.serialized)
    }

    /// The body parsed as JSON, for tests.
    public var json: JSONValue? { JSONValue.parse(body) }
}

/// How a platform renders the errors that the shared machinery produces (auth, rate limit, 5xx,
/// malformed JSON), so each emulator answers in its own API's shape.
public protocol PlatformErrorRenderer: Sendable {
    /// The answer to a request rate-limited by fault injection (429 with `Retry-After`).
    func rateLimited(retryAfter: String) -> EmulatorResponse
    /// The answer to a request failed by an injected server error.
    func serverError(status: Int) -> EmulatorResponse
}
