import PostgresClient

/// The tables of the PostgreSQL backend, and the migrations that create them.
///
/// ```
/// reconciler_schema_migrations (version PK, summary, applied_at)   -- what has been applied
/// reconciler_environments (environment PK, state jsonb, generation, updated_at)
///     -- the EnvironmentState document, encoded with ContractJSON like the file backend's
/// reconciler_history (environment, sequence) PK, at, kind, revision, entry jsonb
///     -- one row per HistoryEntry; `entry` is the record, the other columns are for queries
/// reconciler_writes (environment, generation) PK, write_id uuid
///     -- the last updates' ids, so a retry after a lost COMMIT can tell whether it landed
/// reconciler_leadership (environment PK, epoch, holder, acquired_at)
///     -- the fencing epoch of LeaderElection: bumped by every new leader
/// ```
///
/// Migrations run when a store or an elector opens. They are numbered, each applied once in
/// one transaction with its version row, and serialized by a transaction-scoped advisory lock,
/// so replicas that start together neither race on `CREATE TABLE` nor apply anything twice.
/// Add a migration by appending to `migrations`; never edit an applied one.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let summary: String
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(
            version: 1, summary: "environments, history, write log, leadership",
            statements: [
                """
                CREATE TABLE reconciler_environments (
                    environment text PRIMARY KEY,
                    state jsonb NOT NULL,
                    generation bigint NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE reconciler_history (
                    environment text NOT NULL REFERENCES reconciler_environments (environment) ON DELETE CASCADE,
                    sequence bigint NOT NULL,
                    at timestamptz NOT NULL,
                    kind text NOT NULL,
                    revision text,
                    entry jsonb NOT NULL,
                    PRIMARY KEY (environment, sequence)
                )
                """,
                """
                CREATE TABLE reconciler_writes (
                    environment text NOT NULL REFERENCES reconciler_environments (environment) ON DELETE CASCADE,
                    generation bigint NOT NULL,
                    write_id uuid NOT NULL,
                    PRIMARY KEY (environment, generation)
                )
                """,
                """
                CREATE TABLE reconciler_leadership (
                    environment text PRIMARY KEY,
                    epoch bigint NOT NULL,
                    holder text NOT NULL,
                    acquired_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ])
    ]

    static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Serializes migrations across processes (a transaction-scoped lock: released at COMMIT or
    /// when a crashed migrator's session ends).
    static let migrationLockKey = AdvisoryLockKey.make("clipnet.reconciler.schema")

    /// Brings the database to `latestVersion`.
    /// - Throws: `StateStoreError(.invalidConfiguration)` when the database was migrated by a
    ///   newer build, whose data this build may not understand.
    static func migrate(_ connection: PostgresConnection) async throws {
        try await connection.transaction { transaction in
            try await transaction.execute("SELECT pg_advisory_xact_lock($1::bigint)", [String(migrationLockKey)])
            try await transaction.execute(
                """
                CREATE TABLE IF NOT EXISTS reconciler_schema_migrations (
                    version integer PRIMARY KEY,
                    summary text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try await transaction.query("SELECT version FROM reconciler_schema_migrations")
            let applied = Set(try rows.map { Int(try $0.int64("version")) })
            if let newest = applied.max(), newest > latestVersion {
                throw StateStoreError(
                    .invalidConfiguration,
                    "the database schema is at version \(newest), newer than this build's \(latestVersion); upgrade the reconciler")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await transaction.execute(statement)
                }
                try await transaction.execute(
                    "INSERT INTO reconciler_schema_migrations (version, summary) VALUES ($1::integer, $2::text)",
                    [String(migration.version), migration.summary])
            }
        }
    }
}

/// 64-bit keys for `pg_advisory_lock`, derived from names.
///
/// Why FNV-1a and not `Hasher`: the key must be the same in every process and every build
/// (Swift's `Hasher` is seeded per process).
public enum AdvisoryLockKey {
    public static func make(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// How `pg_locks` shows a bigint advisory key: `classid` holds the high 32 bits, `objid`
    /// the low 32 bits, and `objsubid` is 1.
    static func pgLocksColumns(_ key: Int64) -> (classid: String, objid: String) {
        let bits = UInt64(bitPattern: key)
        return (String(bits >> 32), String(bits & 0xffff_ffff))
    }
}
