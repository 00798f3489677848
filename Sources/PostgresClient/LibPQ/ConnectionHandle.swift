internal import CLibPQ

/// Owns one `PGconn` and is the one place libpq's errors become `PostgresError`s.
///
/// `@unchecked Sendable` because `raw` is mutable and libpq connections are not thread-safe:
/// every method is called only from inside a work item of the owning `PostgresConnection`'s
/// `SerialBlockingQueue`, which runs one item at a time. `deinit` is the exception, and runs
/// when no work item can still reference the handle (each one holds it strongly).
final class ConnectionHandle: @unchecked Sendable {
    private var raw: OpaquePointer?
    /// The connection string's passwords, scrubbed from every libpq message.
    private let secrets: [String]
    /// The redacted connection string, for messages.
    let target: String
    /// The server process serving this session (`pg_backend_pid()`).
    let backendProcessID: Int32

    private init(raw: OpaquePointer, secrets: [String], target: String) {
        self.raw = raw
        self.secrets = secrets
        self.target = target
        self.backendProcessID = PQbackendPID(raw)
    }

    deinit {
        finish()
    }

    /// Opens a connection (blocking, bounded by `connect_timeout`).
    ///
    /// `defaults` are libpq keywords placed *before* the connection string in
    /// `PQconnectdbParams` (with `expand_dbname`), so a value the connection string sets itself
    /// wins over the default.
    static func connect(_ connectionString: String, defaults: [(String, String)]) throws -> ConnectionHandle {
        let target = PostgresConnectionString.redacted(connectionString)
        let secrets = PostgresConnectionString.secrets(in: connectionString)
        guard !connectionString.containsNUL, !defaults.contains(where: { $0.1.containsNUL }) else {
            throw PostgresError(.invalidParameter, message: "the connection string for \(target) contains a NUL byte")
        }
        let keywords: [String?] = defaults.map(\.0) + ["dbname", nil]
        let values: [String?] = defaults.map(\.1) + [connectionString, nil]
        let connection = withCStringArray(keywords) { keywords in
            withCStringArray(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let connection else {
            throw PostgresError(.connection, message: "could not connect to \(target): libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = PostgresConnectionString.scrub(Self.errorText(connection), secrets: secrets)
            PQfinish(connection)
            throw PostgresError(.connection, message: "could not connect to \(target): \(reason)")
        }
        CLibPQ_silenceNotices(connection)
        return ConnectionHandle(raw: connection, secrets: secrets, target: target)
    }

    /// Whether the session is usable, as far as libpq knows without a round trip.
    var isConnected: Bool {
        guard let raw else { return false }
        return PQstatus(raw) == CONNECTION_OK
    }

    /// Runs one statement with text-format parameters through `PQexecParams` (blocking).
    func execute(_ sql: String, _ parameters: [String?]) throws -> PostgresRows {
        guard let raw else {
            throw PostgresError(.closed, message: "the connection to \(target) was closed")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            throw connectionLost(raw, reason: nil)
        }
        guard !sql.containsNUL else {
            throw PostgresError(.invalidParameter, message: "the statement contains a NUL byte")
        }
        if let index = parameters.firstIndex(where: { $0?.containsNUL == true }) {
            throw PostgresError(.invalidParameter, message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold")
        }
        let result = withCStringArray(parameters) { values in
            PQexecParams(raw, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard let result else {
            // No result at all: out of memory, or the query could not be sent.
            if PQstatus(raw) != CONNECTION_OK { throw connectionLost(raw, reason: nil) }
            throw PostgresError(.unexpectedResult, message: "no result from \(target): \(scrubbedErrorText(raw))")
        }
        let handle = ResultHandle(result)
        switch handle.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return handle.copyRows()
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            throw error(from: handle, raw)
        default:
            let status = PQresStatus(handle.status).map { String(cString: $0) } ?? "unknown"
            throw PostgresError(.unexpectedResult, message: "unexpected result status \(status); COPY and pipelines are not supported")
        }
    }

    /// Closes the session (PQfinish). Safe to call more than once.
    func finish() {
        if let raw {
            PQfinish(raw)
            self.raw = nil
        }
    }

    // MARK: - The error choke point

    /// A failed result: a `.query` error with the server's SQLSTATE, or `.connection` when the
    /// failure took the session down (server shutdown, `pg_terminate_backend`, network).
    private func error(from result: ResultHandle, _ raw: OpaquePointer) -> PostgresError {
        let sqlState = result.errorField(CLibPQ_DIAG_SQLSTATE)
        let primary = result.errorField(CLibPQ_DIAG_MESSAGE_PRIMARY) ?? Self.oneLine(result.errorMessage)
        let detail = result.errorField(CLibPQ_DIAG_MESSAGE_DETAIL).map { PostgresConnectionString.scrub($0, secrets: secrets) }
        if PQstatus(raw) != CONNECTION_OK {
            return connectionLost(raw, reason: primary, sqlState: sqlState)
        }
        return PostgresError(
            .query, sqlState: sqlState, message: PostgresConnectionString.scrub(primary, secrets: secrets), detail: detail)
    }

    private func connectionLost(_ raw: OpaquePointer, reason: String?, sqlState: String? = nil) -> PostgresError {
        var text = scrubbedErrorText(raw)
        if let reason, !text.contains(reason) { text = text.isEmpty ? reason : "\(reason); \(text)" }
        return PostgresError(
            .connection, sqlState: sqlState,
            message:
                "lost the connection to \(target): \(PostgresConnectionString.scrub(text.isEmpty ? "connection is bad" : text, secrets: secrets))")
    }

    private func scrubbedErrorText(_ raw: OpaquePointer) -> String {
        PostgresConnectionString.scrub(Self.errorText(raw), secrets: secrets)
    }

    /// `PQerrorMessage`, on one line.
    private static func errorText(_ raw: OpaquePointer) -> String {
        oneLine(PQerrorMessage(raw).map { String(cString: $0) } ?? "")
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingPrefix(while: \.isWhitespace) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self[(firstIndex { !predicate($0) } ?? endIndex)...]
    }
}
