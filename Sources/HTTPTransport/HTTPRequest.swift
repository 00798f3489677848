/// One HTTP request, as `HTTPClient.send` performs it.
public struct HTTPRequest: Sendable, CustomStringConvertible, CustomReflectable {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL. Redirects are not followed.
    public var url: String
    public var headers: HTTPHeaders
    /// Sent as-is with a Content-Length. nil sends no body (POST, PUT and PATCH then send an empty one).
    public var body: [UInt8]?
    /// Bound on the whole exchange, connect included, from the moment a lane starts it (time spent
    /// waiting for a free lane, when more requests are in flight than `concurrency`, is not counted).
    public var timeout: Duration
    /// Bound on establishing the TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// When set, a transfer that moves less than a byte a second for this long fails with
    /// `.timedOut`, however much of `timeout` is left: a stalled peer is found long before the
    /// whole-request bound of a large upload or download runs out.
    public var stallTimeout: Duration? = nil

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

    /// Redacted URL, masked headers and the body's size, for `dump` and test output.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "method": method, "url": RedactedURL(url), "headers": headers, "bodySize": body?.count as Any,
                "timeout": timeout, "connectTimeout": connectTimeout, "stallTimeout": stallTimeout as Any,
            ], displayStyle: .struct)
    }
}
