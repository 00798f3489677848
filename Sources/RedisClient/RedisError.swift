import Foundation

/// An error from the Redis wrapper: a code that says what the caller can do about it, and a message
/// that never contains a secret (passwords are scrubbed, URLs are shown redacted).
public struct RedisError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, as an open set of codes (new codes are not source-breaking).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case invalidURL, unsupported, connection, timeout, authentication, server, protocolError, invalidArgument
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The Redis URL could not be parsed.
        public static let invalidURL = Code(.invalidURL)
        /// The URL asks for something this build cannot do (`rediss://`: hiredis 0.14 has no TLS).
        public static let unsupported = Code(.unsupported)
        /// The server could not be reached, or the connection broke; the connection is discarded and
        /// the next call reconnects.
        public static let connection = Code(.connection)
        /// No reply within the command timeout; the connection is discarded (a late reply would
        /// otherwise be read as the answer to the next command) and the next call reconnects.
        public static let timeout = Code(.timeout)
        /// AUTH or SELECT on connect was refused.
        public static let authentication = Code(.authentication)
        /// The server answered with an error reply (`-ERR ...`, `-WRONGTYPE ...`, `-NOSCRIPT ...`).
        public static let server = Code(.server)
        /// hiredis could not parse the server's reply, or ran out of memory.
        public static let protocolError = Code(.protocolError)
        /// The call itself was malformed (for example an empty command).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// Human-readable detail: the hiredis error string or the server's error reply, scrubbed of secrets.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether trying again later (on a new connection) can succeed without anyone changing anything.
    ///
    /// A `.timeout` is retryable, but the command may have run: callers retry only idempotent work,
    /// or work whose duplicates they tolerate (the job queue is at-least-once).
    public var isRetryable: Bool {
        switch code {
        case .connection, .timeout:
            return true
        case .server:
            // Transient server states, by their error prefix.
            return ["BUSY", "LOADING", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY"].contains { message.hasPrefix($0) }
        default:
            return false
        }
    }

    /// The first word of a server error reply (`NOSCRIPT`, `WRONGTYPE`, `ERR`), or nil for other codes.
    public var serverErrorPrefix: Substring? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }

    public var description: String { "RedisError(\(code)): \(message)" }
    public var debugDescription: String { description }
}

extension String {
    /// This text with every occurrence of `secret` replaced, so that a password echoed back by a
    /// server or a library never reaches an error message or a log.
    func scrubbing(_ secret: String?) -> String {
        guard let secret, !secret.isEmpty else { return self }
        return replacingOccurrences(of: secret, with: "<redacted>")
    }
}
