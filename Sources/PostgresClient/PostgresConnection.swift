import AsyncPrimitives
public import Logging

/// One PostgreSQL session over libpq.
///
/// Every libpq call runs on the connection's own `SerialBlockingQueue`, never on the
/// cooperative pool, and one task at a time owns the session: `query` for one statement,
/// `transaction` for a whole transaction (see `ExclusiveAccess`).
///
/// A lost session is not repaired in place: calls fail with a retryable `.connection` error and
/// the owner opens a new connection (with `Backoff`), because whatever the old session held
/// (a transaction, locks, session settings) is gone anyway.
///
/// ```swift
/// let connection = try await PostgresConnection.connect(url: "postgresql://app@db/app")
/// let rows = try await connection.query("SELECT name FROM users WHERE id = $1", ["42"])
/// try await connection.transaction { tx in
///     try await tx.execute("UPDATE users SET name = $1 WHERE id = $2", ["Ada", "42"])
/// }
/// ```
public final class PostgresConnection: Sendable {
    /// Settings applied under the connection string; a value the string sets itself wins.
    public struct Options: Sendable {
        /// libpq's `connect_timeout`, per host address tried (whole seconds, at least 2).
        public var connectTimeout: Duration
        /// Shows in `pg_stat_activity.application_name`.
        public var applicationName: String?
        /// TCP keepalives, so a peer that vanished (power loss, partition) is noticed.
        public var keepalives: Bool

        public init(connectTimeout: Duration = .seconds(10), applicationName: String? = nil, keepalives: Bool = true) {
            self.connectTimeout = connectTimeout
            self.applicationName = applicationName
            self.keepalives = keepalives
        }

        var libpqDefaults: [(String, String)] {
            var defaults = [
                ("connect_timeout", String(max(2, Int(connectTimeout.seconds.rounded(.up))))),
                ("client_encoding", "UTF8"),
            ]
            if let applicationName { defaults.append(("application_name", applicationName)) }
            if keepalives {
                defaults += [("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3")]
            }
            return defaults
        }
    }

    private let handle: ConnectionHandle
    private let queue: SerialBlockingQueue
    private let access = ExclusiveAccess()

    /// The connection string with its password masked, for logs and messages.
    public let target: String
    /// The server process of this session (`pg_backend_pid()`), e.g. for `pg_terminate_backend`.
    public let backendProcessID: Int32

    private init(handle: ConnectionHandle, queue: SerialBlockingQueue) {
        self.handle = handle
        self.queue = queue
        self.target = handle.target
        self.backendProcessID = handle.backendProcessID
    }

    /// Opens a session.
    /// - Parameters:
    ///   - url: a `postgresql://` / `postgres://` URL or key/value conninfo.
    ///   - options: defaults for what the connection string does not set.
    /// - Throws: `PostgresError` with code `.connection` (retryable) when the server cannot be
    ///   reached or refuses the session.
    public static func connect(
        url: String, options: Options = Options(), logger: Logger = Logger(label: "clipnet.postgres")
    ) async throws -> PostgresConnection {
        let queue = SerialBlockingQueue(label: "postgres.connection")
        let defaults = options.libpqDefaults
        let handle = try await queue.run { try ConnectionHandle.connect(url, defaults: defaults) }
        logger.debug(
            "Connected to PostgreSQL",
            metadata: ["postgres.target": "\(handle.target)", "postgres.backend_pid": "\(handle.backendProcessID)"])
        return PostgresConnection(handle: handle, queue: queue)
    }

    /// Runs one statement with `$1, $2, ...` parameters sent separately from the SQL text (no
    /// quoting, no injection), in text format; `nil` is NULL.
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> PostgresRows {
        try await access.withAccess { try await run(sql, parameters) }
    }

    /// Runs one statement and returns the number of rows it affected (0 when it reports none).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows ?? 0
    }

    /// Runs `body` inside BEGIN ... COMMIT, holding the session for the whole transaction.
    ///
    /// If `body` throws, the transaction is rolled back and the error rethrown. If the server
    /// turned the COMMIT into a rollback (a statement failed and the error was swallowed), this
    /// throws rather than pretend the work was saved. Inside `body`, use only the transaction
    /// handle: calling `query` on this connection would wait for itself.
    @discardableResult
    public func transaction<Result>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await access.withAccess {
            _ = try await run("BEGIN ISOLATION LEVEL \(isolation.sql)", [])
            let result: Result
            do {
                result = try await body(PostgresTransaction(connection: self))
            } catch {
                // On a lost session there is nothing to roll back: the server already did.
                _ = try? await run("ROLLBACK", [])
                throw error
            }
            let commit = try await run("COMMIT", [])
            guard commit.commandTag == "COMMIT" else {
                throw PostgresError(.query, message: "the transaction was rolled back by the server (\(commit.commandTag)) after a failed statement")
            }
            return result
        }
    }

    /// Whether the session is still up as far as libpq knows (no round trip: a server that
    /// vanished is only noticed by the next statement).
    public var isConnected: Bool {
        get async { (try? await queue.run { [handle] in handle.isConnected }) ?? false }
    }

    /// Ends the session. Later calls fail with `.closed`.
    public func close() async {
        _ = try? await queue.run { [handle] in handle.finish() }
    }

    /// One statement on the queue, without taking the session lock (the caller holds it).
    fileprivate func run(_ sql: String, _ parameters: [String?]) async throws -> PostgresRows {
        try await queue.run { [handle] in try handle.execute(sql, parameters) }
    }

    public enum IsolationLevel: Sendable {
        case readCommitted, repeatableRead, serializable

        var sql: String {
            switch self {
            case .readCommitted: "READ COMMITTED"
            case .repeatableRead: "REPEATABLE READ"
            case .serializable: "SERIALIZABLE"
            }
        }
    }
}

/// The session during `PostgresConnection.transaction`: statements run inside the transaction.
/// Valid only until `body` returns.
public struct PostgresTransaction: Sendable {
    fileprivate let connection: PostgresConnection

    /// See `PostgresConnection.query`.
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> PostgresRows {
        try await connection.run(sql, parameters)
    }

    /// See `PostgresConnection.execute`.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) async throws -> Int {
        try await connection.run(sql, parameters).affectedRows ?? 0
    }

    /// The server process of this session.
    public var backendProcessID: Int32 { connection.backendProcessID }
}
