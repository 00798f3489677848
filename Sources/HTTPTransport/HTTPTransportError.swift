/// A failed HTTP exchange: no usable response arrived. (A response with any status, 4xx and 5xx
/// included, is not an error: it comes back as an `HTTPResponse`.)
///
/// The message names the method and the redacted URL (no userinfo, no query) and curl's own
/// explanation; it never holds request headers or the request body, where tokens live.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case couldNotConnect, timedOut, dnsFailure, sendFailed, receiveFailed, tls, responseTooLarge, requestTooLarge, invalidRequest, other
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// TCP connect failed (refused, unreachable, connect timeout).
        public static let couldNotConnect = Code(.couldNotConnect)
        /// The whole-request timeout (`HTTPRequest.timeout`) expired.
        public static let timedOut = Code(.timedOut)
        /// The host name did not resolve.
        public static let dnsFailure = Code(.dnsFailure)
        /// Sending the request failed.
        public static let sendFailed = Code(.sendFailed)
        /// The response could not be read: reset, closed early, or closed without any response.
        public static let receiveFailed = Code(.receiveFailed)
        /// TLS handshake or certificate verification failed.
        public static let tls = Code(.tls)
        /// The response body exceeded `HTTPClient.Configuration.maximumResponseSize`, or a
        /// download's `maximumBodySize`.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// A streamed request body is larger than the limit its caller set (`HTTPClient.upload`);
        /// nothing was sent.
        public static let requestTooLarge = Code(.requestTooLarge)
        /// The request cannot be sent as given (URL scheme, header syntax).
        public static let invalidRequest = Code(.invalidRequest)
        /// Anything else libcurl reports.
        public static let other = Code(.other)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String
    /// Whether sending the same request again later may succeed. The request may have reached the
    /// server (a receive failure or timeout after sending), so only idempotent requests, or ones the
    /// API deduplicates, should be retried blindly.
    public let isRetryable: Bool

    public init(_ code: Code, _ message: String, isRetryable: Bool? = nil) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable ?? [.couldNotConnect, .timedOut, .dnsFailure, .sendFailed, .receiveFailed].contains(code)
    }

    public var description: String { "HTTPTransportError(\(code)): \(message)" }
    public var debugDescription: String { description }
}
