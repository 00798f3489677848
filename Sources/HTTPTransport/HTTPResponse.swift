/// A complete HTTP response, whatever its status: 4xx and 5xx are answers, not transport errors.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Time from the start of the transfer to its end (CURLINFO_TOTAL_TIME): name resolution,
    /// connect, TLS, sending and receiving; excludes time spent waiting for a free connection.
    public var duration: Duration

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], duration: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
    }

    /// The first value of the header `name` (case-insensitive); `headers.values(for:)` gives all.
    public func header(_ name: String) -> String? {
        headers[name]
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8 (invalid bytes repaired).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
