/// Every failure of the PostgreSQL client, typed by what the caller can do about it.
///
/// Built in exactly one place per kind of failure (`ConnectionHandle`), inside the blocking work
/// item that made the failing libpq call, so `PQerrorMessage` and the result's SQLSTATE are read
/// before anything else touches the connection. Messages never contain a password: connection
/// targets are redacted and the connection string's secrets are scrubbed from libpq's text.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Open-ended: new codes can be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case connection, query, invalidParameter, unexpectedResult, closed
        }

        private let base: Base

        /// The connection could not be opened, or was lost (`PQstatus` is `CONNECTION_BAD`).
        /// Retryable: open a new connection (with backoff) and try again.
        public static let connection = Code(base: .connection)
        /// The server rejected the statement; `sqlState` says why.
        public static let query = Code(base: .query)
        /// A statement or parameter cannot be sent (e.g. it contains a NUL byte).
        public static let invalidParameter = Code(base: .invalidParameter)
        /// The server answered with something this client does not handle (e.g. COPY), or a
        /// column did not hold what the caller asked for.
        public static let unexpectedResult = Code(base: .unexpectedResult)
        /// The connection was closed by `close()`; open a new one.
        public static let closed = Code(base: .closed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The five-character SQLSTATE the server reported (`23505` unique violation, `42601` syntax
    /// error, ...), when there was one.
    public let sqlState: String?
    /// The primary message, with any password removed.
    public let message: String
    /// The server's DETAIL line. Kept out of `description` because it can quote row values.
    public let detail: String?
    public let file: String
    public let line: Int

    public init(
        _ code: Code, sqlState: String? = nil, message: String, detail: String? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.file = file
        self.line = line
    }

    /// Whether the same work can succeed if tried again: on a new connection for `.connection`,
    /// or as a new transaction for a serialization failure or deadlock.
    public var isRetryable: Bool {
        if code == .connection { return true }
        guard code == .query, let sqlState else { return false }
        return PostgresSQLState.retryable.contains(sqlState) || sqlState.hasPrefix("08")
    }

    public var description: String {
        let state = sqlState.map { " [\($0)]" } ?? ""
        return "postgres \(code) error\(state): \(message)"
    }
}

/// The SQLSTATE codes this code base reacts to (PostgreSQL Appendix A).
public enum PostgresSQLState {
    public static let uniqueViolation = "23505"
    public static let syntaxError = "42601"
    public static let undefinedTable = "42P01"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let adminShutdown = "57P01"
    public static let crashShutdown = "57P02"
    public static let cannotConnectNow = "57P03"
    public static let tooManyConnections = "53300"
    public static let queryCanceled = "57014"

    /// Codes after which the same transaction, retried from the start, can succeed. Class 08
    /// (connection exception) is retryable too.
    static let retryable: Set<String> = [
        serializationFailure, deadlockDetected, adminShutdown, crashShutdown, cannotConnectNow, tooManyConnections,
    ]
}
