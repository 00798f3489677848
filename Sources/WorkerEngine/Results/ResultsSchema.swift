public import PostgresClient

/// The worker's tables in the environment's PostgreSQL, as numbered migrations applied at start.
///
/// Why numbered and locked: every replica starts at once on a deploy; the advisory lock makes them
/// apply the migrations one after the other, and the version table makes a second run a no-op.
public enum ResultsSchema {
    /// The migrations in order, one statement per string (libpq runs one statement per call); a
    /// deployed one is never edited, only followed by a new one.
    public static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE clip_results (
                    clip_id text PRIMARY KEY,
                    source_media text NOT NULL,
                    caption text,
                    caption_model text CHECK (caption_model IN ('blip', 'clip')),
                    motion jsonb,
                    transcript text,
                    score double precision,
                    polished_media_id text,
                    polished_url text,
                    polished_bytes bigint,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE clip_stages (
                    clip_id text NOT NULL REFERENCES clip_results (clip_id),
                    stage text NOT NULL,
                    status text NOT NULL CHECK (status IN ('running', 'failed', 'done')),
                    attempts integer NOT NULL,
                    last_error text,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (clip_id, stage)
                )
                """,
            ]
        )
    ]

    /// The newest schema version this build knows.
    public static var latestVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// Applies the migrations not applied yet; returns how many ran.
    @discardableResult
    public static func migrate(_ connection: PostgresConnection) async throws -> Int {
        try await connection.transaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(hashtext('clipnet-worker-schema'))")
            try await tx.execute(
                """
                CREATE TABLE IF NOT EXISTS clipnet_worker_schema (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let applied = Set(try await tx.query("SELECT version FROM clipnet_worker_schema").compactMap { row in row[0].flatMap { Int($0) } })
            var ran = 0
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements { try await tx.execute(statement) }
                try await tx.execute("INSERT INTO clipnet_worker_schema (version) VALUES ($1)", [String(migration.version)])
                ran += 1
            }
            return ran
        }
    }
}
