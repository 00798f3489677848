/// One HTTP request, as `HTTPClient.send` performs it.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL. Redirects are not followed.
    public var url: String
    public var headers: HTTPHeaders
    /// Sent as-is with a Content-Length. nil sends no body (POST, PUT and PATCH then send an empty one).
    public var body: [UInt8]?
    /// Bound on the whole exchange, connect included, once it has started on a connection.
    public var timeout: Duration
    /// Bound on establishing the TCP (and TLS) connection.
    public var connectTimeout: Duration

    public init(
        method: HTTPMethod = .get,
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Method and redacted URL only: never headers or body.
    public var description: String { "\(method) \(RedactedURL(url))" }
}
