public import AsyncPrimitives
public import ClipnetContracts
import Foundation
public import Logging
import PostgresClient

/// The `postgres://` backend: the same documents and history as `FileStateStore`, in tables
/// (see `PostgresSchema`), for replicated daemons.
///
/// - `update` is one transaction: the environment's row is locked with `SELECT ... FOR UPDATE`
///   (created first with `INSERT ... ON CONFLICT DO NOTHING` when missing, which is race-free),
///   `change` runs on the decoded state, and the new state, its history entries (numbered
///   `historySequence + 1 ...`) and a write-log row are written by one statement before COMMIT.
///   A writer killed at any instant leaves the old state or the new one, never a part.
/// - Lost sessions are reopened with `Backoff`, and the operation is tried again from the start
///   (`change` may therefore run more than once). If the session died *during* COMMIT, the
///   write log (`reconciler_writes`) tells whether that commit landed, so an update is never
///   applied twice.
/// - With a `LeaderFence`, the update also checks, in the same transaction, that the fence is
///   still the current leadership epoch, and fails with `.notLeader` otherwise (see
///   `LeaderElection`).
public final class PostgresStateStore: StateStore {
    public struct Configuration: Sendable {
        /// Shows in `pg_stat_activity`, so operators can tell the store's session apart.
        public var applicationName: String
        public var connectTimeout: Duration
        /// Pause between attempts after a lost session or a serialization failure.
        public var retryBackoff: Backoff
        /// Attempts per operation before it fails with `.unavailable`.
        public var maxAttempts: Int
        /// How many recent write ids are kept per environment for the lost-COMMIT check.
        public var writeLogLength: Int
        /// `lock_timeout`: how long a statement waits for a row lock before it fails (and the
        /// operation is tried again). A partitioned old leader holding the environment's row must
        /// not block the new leader's writes for hours.
        public var lockTimeout: Duration
        /// `statement_timeout`: the longest one statement may run.
        public var statementTimeout: Duration
        /// `idle_in_transaction_session_timeout`: the server ends a session of this store that sits
        /// in an open transaction this long (a paused or partitioned daemon), releasing its locks.
        public var idleInTransactionTimeout: Duration
        /// TCP keepalives on the session (libpq `keepalives`, on by default), so a server that
        /// vanished is noticed; a URL's own `keepalives*` parameters win.
        public var keepalives: Bool

        public init(
            applicationName: String = "clipnet-reconciler-state", connectTimeout: Duration = .seconds(10),
            retryBackoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5)), maxAttempts: Int = 8,
            writeLogLength: Int = 1000, lockTimeout: Duration = .seconds(5), statementTimeout: Duration = .seconds(30),
            idleInTransactionTimeout: Duration = .seconds(60), keepalives: Bool = true
        ) {
            self.applicationName = applicationName
            self.connectTimeout = connectTimeout
            self.retryBackoff = retryBackoff
            self.maxAttempts = max(1, maxAttempts)
            self.writeLogLength = max(10, writeLogLength)
            self.lockTimeout = lockTimeout
            self.statementTimeout = statementTimeout
            self.idleInTransactionTimeout = idleInTransactionTimeout
            self.keepalives = keepalives
        }

        /// The session settings applied right after each connect, as (name, value in ms); 0
        /// (PostgreSQL's "no limit") is never sent for a positive duration.
        public var sessionSettings: [(name: String, value: String)] {
            func milliseconds(_ duration: Duration) -> String {
                let (seconds, attoseconds) = duration.components
                return String(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
            }
            return [
                ("lock_timeout", milliseconds(lockTimeout)), ("statement_timeout", milliseconds(statementTimeout)),
                ("idle_in_transaction_session_timeout", milliseconds(idleInTransactionTimeout)),
            ]
        }
    }

    private let session: PostgresSession
    private let probes = ProbeGate()
    private let configuration: Configuration
    private let logger: Logger
    /// The URL with its password masked.
    public let target: String

    /// Connects and migrates the schema (retrying with backoff while the server is unreachable).
    public init(url: String, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "clipnet.state.postgres")) async throws {
        self.target = PostgresConnectionString.redacted(url)
        self.configuration = configuration
        self.logger = logger
        self.session = PostgresSession(
            url: url,
            options: PostgresConnection.Options(
                connectTimeout: configuration.connectTimeout, applicationName: configuration.applicationName, keepalives: configuration.keepalives),
            settings: configuration.sessionSettings)
        try await withRetries("open the state store") { connection in
            try await PostgresSchema.migrate(connection)
        }
    }

    /// Ends the session; later calls fail with `.unavailable`.
    public func close() async {
        await session.close()
    }

    /// A view of this store whose updates are all fenced by `fence`.
    public func fenced(by fence: LeaderFence) -> FencedStateStore {
        FencedStateStore(base: self, fence: fence)
    }

    // MARK: - Readiness

    /// One attempt, no retries: a statement timeout bounds a slow server, the gate's deadline a
    /// frozen or unreachable one. A standby (read-only) server is not writable.
    public func probeWritable(environment: String, timeout: Duration) async throws {
        let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        try await probes.run("PostgreSQL at \(target)", timeout: timeout) { [session, target] in
            let connection = try await session.current()
            do {
                let standby = try await connection.transaction { transaction in
                    _ = try await transaction.execute("SET LOCAL statement_timeout = \(milliseconds)")
                    return try await transaction.query("SELECT pg_is_in_recovery()::text AS standby").first?.string("standby")
                }
                if standby == "true" {
                    throw StateStoreError(.unavailable, "PostgreSQL at \(target) is a read-only standby")
                }
            } catch let error as PostgresError {
                if error.code == .connection { await session.discard(connection) }
                throw StateStoreError(.unavailable, "PostgreSQL at \(target): \(error)")
            }
        }
    }

    // MARK: - StateStore

    public func load(environment: String) async throws -> EnvironmentState {
        try validateEnvironmentName(environment)
        let rows = try await withRetries("load \(environment)") { connection in
            try await connection.query("SELECT state::text AS state FROM reconciler_environments WHERE environment = $1::text", [environment])
        }
        guard let row = rows.first else { return EnvironmentState() }
        return try Self.decodeState(try row.string("state"), environment: environment)
    }

    @discardableResult
    public func update(
        environment: String,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try await update(environment: environment, fence: nil, change)
    }

    /// `update`, allowed only while `fence` is the environment's current leadership.
    /// - Throws: `StateStoreError(.notLeader)` when another elector took leadership since
    ///   `fence` was issued; nothing is written then. `.unavailable` when every attempt failed;
    ///   in the rare case that the last one lost its session during COMMIT and no later session
    ///   could ask, the write may have landed (`generation` tells).
    @discardableResult
    public func update(
        environment: String,
        fence: LeaderFence?,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try validateEnvironmentName(environment)
        if let fence, fence.environment != environment {
            throw StateStoreError(.invalidConfiguration, "a fence for '\(fence.environment)' cannot authorize a write to '\(environment)'")
        }
        // The attempt whose COMMIT was sent last; checked after a lost session.
        var unconfirmed: PreparedWrite?
        return try await withRetries("update \(environment)") { connection in
            if let write = unconfirmed {
                // Cleared only once answered: if this check fails too, the next attempt asks again.
                let landed = try await Self.landed(write, environment: environment, on: connection)
                unconfirmed = nil
                if landed {
                    logger.info("A commit whose answer was lost had landed", metadata: ["state.environment": "\(environment)"])
                    return write.state
                }
            }
            return try await connection.transaction { transaction in
                if let fence { try await Self.checkFence(fence, in: transaction) }
                var state = try await Self.lockState(environment, in: transaction)
                var entries = try change(&state)
                for index in entries.indices {
                    state.historySequence += 1
                    entries[index].sequence = state.historySequence
                }
                state.generation += 1
                let write = PreparedWrite(state: state, writeID: UUID().uuidString.lowercased())
                try await save(write, entries: entries, environment: environment, in: transaction)
                unconfirmed = write
                return state
            }
        }
    }

    public func history(environment: String, limit: Int) async throws -> [HistoryEntry] {
        try validateEnvironmentName(environment)
        guard limit > 0 else { return [] }
        let rows = try await withRetries("read the history of \(environment)") { connection in
            try await connection.query(
                "SELECT entry::text AS entry FROM reconciler_history WHERE environment = $1::text ORDER BY sequence DESC LIMIT $2::bigint",
                [environment, String(limit)])
        }
        let decoder = ContractJSON.decoder()
        return try rows.map { row in
            do {
                return try decoder.decode(HistoryEntry.self, from: Data(try row.string("entry").utf8))
            } catch {
                throw StateStoreError(.corrupt, "a history entry of '\(environment)' in \(target) cannot be decoded: \(error)")
            }
        }
    }

    // MARK: - The update transaction

    /// What an attempt is about to commit.
    private struct PreparedWrite {
        let state: EnvironmentState
        let writeID: String
    }

    /// Locks the environment's row (creating it first if it is missing) and decodes it.
    private static func lockState(_ environment: String, in transaction: PostgresTransaction) async throws -> EnvironmentState {
        let select = "SELECT state::text AS state FROM reconciler_environments WHERE environment = $1::text FOR UPDATE"
        var rows = try await transaction.query(select, [environment])
        if rows.isEmpty {
            // Two writers creating the row at once: the second waits for the first's insert
            // and then does nothing; both then queue on the row lock.
            try await transaction.execute(
                "INSERT INTO reconciler_environments (environment, state, generation) VALUES ($1::text, $2::jsonb, 0) ON CONFLICT (environment) DO NOTHING",
                [environment, try encode(EnvironmentState())])
            rows = try await transaction.query(select, [environment])
        }
        guard let row = rows.first else {
            throw StateStoreError(.unavailable, "the row of '\(environment)' vanished while it was being locked")
        }
        return try decodeState(try row.string("state"), environment: environment)
    }

    /// The new state, its history entries, and the write-log row, in one statement.
    private func save(_ write: PreparedWrite, entries: [HistoryEntry], environment: String, in transaction: PostgresTransaction) async throws {
        try await transaction.execute(
            """
            WITH saved AS (
                UPDATE reconciler_environments SET state = $2::jsonb, generation = $3::bigint, updated_at = now()
                WHERE environment = $1::text
            ), appended AS (
                INSERT INTO reconciler_history (environment, sequence, at, kind, revision, entry)
                SELECT $1::text, (e->>'sequence')::bigint, (e->>'at')::timestamptz, e->>'kind', e->>'revision', e
                FROM jsonb_array_elements($4::jsonb) AS e
            ), logged AS (
                INSERT INTO reconciler_writes (environment, generation, write_id) VALUES ($1::text, $3::bigint, $5::uuid)
            )
            DELETE FROM reconciler_writes WHERE environment = $1::text AND generation <= $3::bigint - $6::bigint
            """,
            [
                environment, try Self.encode(write.state), String(write.state.generation), try Self.encode(entries), write.writeID,
                String(configuration.writeLogLength),
            ])
    }

    /// Whether `write` committed before its session was lost.
    private static func landed(_ write: PreparedWrite, environment: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM reconciler_writes WHERE environment = $1::text AND generation = $2::bigint AND write_id = $3::uuid) AS landed",
            [environment, String(write.state.generation), write.writeID])
        return try rows.first?.bool("landed") ?? false
    }

    /// Fails with `.notLeader` unless `fence` is still the current leadership: asked before every
    /// platform change, so a deposed leader sends none.
    public func verify(fence: LeaderFence) async throws {
        try await withRetries("verify leadership of \(fence.environment)") { connection in
            try await connection.transaction { transaction in try await Self.checkFence(fence, in: transaction) }
        }
    }

    /// Fails unless `fence` is still the current leadership. `FOR SHARE` makes a new leader's
    /// epoch bump wait for this transaction, so no fenced write commits after a takeover.
    private static func checkFence(_ fence: LeaderFence, in transaction: PostgresTransaction) async throws {
        let rows = try await transaction.query(
            "SELECT epoch, holder FROM reconciler_leadership WHERE environment = $1::text FOR SHARE", [fence.environment])
        guard let row = rows.first else {
            throw StateStoreError(.notLeader, "\(fence) is not the leadership of '\(fence.environment)': no leader was ever elected")
        }
        let epoch = try row.int64("epoch")
        let holder = try row.string("holder")
        guard epoch == fence.epoch, holder == fence.holder else {
            throw StateStoreError(.notLeader, "\(fence) was deposed: '\(fence.environment)' is now led by \(holder) at epoch \(epoch)")
        }
    }

    // MARK: - Retries and errors

    /// Runs `body` on the session, retrying retryable failures (lost session, serialization
    /// failure, deadlock) with backoff up to `maxAttempts`. Other errors pass through, with
    /// `PostgresError`s turned into `StateStoreError`s.
    private func withRetries<Result>(_ operation: String, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var failures = 0
        while true {
            do {
                let connection = try await session.current()
                do {
                    return try await body(connection)
                } catch let error as PostgresError where error.code == .connection {
                    await session.discard(connection)
                    throw error
                }
            } catch let error as PostgresError where error.isRetryable || Self.isTimeout(error) {
                failures += 1
                guard failures < configuration.maxAttempts else {
                    throw StateStoreError(.unavailable, "\(operation) on \(target) failed \(failures) times; last error: \(error)")
                }
                logger.warning(
                    "PostgreSQL state store operation failed; retrying",
                    metadata: ["state.operation": "\(operation)", "state.attempt": "\(failures)", "error": "\(error)"])
                try await Task.sleep(for: configuration.retryBackoff.delay(afterFailures: failures))
            } catch let error as PostgresError {
                throw StateStoreError(Self.code(for: error), "\(operation) on \(target): \(error)")
            }
        }
    }

    /// A row lock not granted within `lock_timeout` (55P03) or a statement cancelled by
    /// `statement_timeout` (57014): the holder may be a stuck old leader whose session the server
    /// will end (`idle_in_transaction_session_timeout`), so the operation is tried again.
    private static func isTimeout(_ error: PostgresError) -> Bool {
        error.sqlState == "55P03" || error.sqlState == PostgresSQLState.queryCanceled
    }

    /// Authorization, missing database and privilege errors need a human; the rest may pass.
    private static func code(for error: PostgresError) -> StateStoreError.Code {
        guard let sqlState = error.sqlState else { return .unavailable }
        if sqlState.hasPrefix("28") || sqlState == "3D000" || sqlState == "42501" { return .invalidConfiguration }
        return .unavailable
    }

    // MARK: - Coding

    private static func encode<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try ContractJSON.encoder().encode(value), as: UTF8.self)
    }

    private static func decodeState(_ text: String, environment: String) throws -> EnvironmentState {
        do {
            return try ContractJSON.decoder().decode(EnvironmentState.self, from: Data(text.utf8))
        } catch {
            throw StateStoreError(
                .corrupt, "the state of '\(environment)' (reconciler_environments) cannot be decoded: \(error); it was left as it is")
        }
    }
}
