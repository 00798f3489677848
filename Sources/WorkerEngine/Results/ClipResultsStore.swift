public import Logging
import PostgresClient
import Synchronization

/// The pipeline's results in the environment's PostgreSQL (`DATABASE_URL`): one `clip_results`
/// row per clip and one `clip_stages` row per clip and stage.
///
/// Every write is idempotent, because delivery is at least once: a result column is written only
/// while it is NULL (the first finished run wins), and a stage row that is `done` is never written
/// again. A re-run of a finished stage therefore changes nothing.
public final class ClipResultsStore: Sendable {
    private let url: String
    private let logger: Logger
    private let cached = Mutex<PostgresConnection?>(nil)
    private let timer: ExternalCallTimer

    public init(url: String, logger: Logger, timer: ExternalCallTimer = ExternalCallTimer(metrics: nil)) {
        self.url = url
        self.logger = logger
        self.timer = timer
    }

    /// Connects and applies the schema's migrations (at start-up, before any job runs).
    public func migrate() async throws {
        let ran = try await ResultsSchema.migrate(try await connection())
        if ran > 0 { logger.info("Results schema migrated", metadata: ["schema.version": "\(ResultsSchema.latestVersion)"]) }
    }

    // MARK: Reads

    public func clip(_ clipId: String) async throws -> ClipRecord? {
        let rows = try await query(
            """
            SELECT clip_id, source_media, caption, caption_model, motion::text AS motion, transcript, score::text AS score,
                   polished_media_id, polished_url, polished_bytes::text AS polished_bytes
            FROM clip_results WHERE clip_id = $1
            """, [clipId])
        guard let row = rows.first else { return nil }
        return ClipRecord(
            clipId: try row.string("clip_id"), sourceMedia: try row.string("source_media"), caption: row["caption"],
            captionModel: row["caption_model"], motion: row["motion"], transcript: row["transcript"],
            score: row["score"].flatMap { Double($0) }, polishedMediaId: row["polished_media_id"], polishedURL: row["polished_url"],
            polishedBytes: row["polished_bytes"].flatMap { Int64($0) })
    }

    public func stages(_ clipId: String) async throws -> [StageRecord] {
        try await query("SELECT stage, status, attempts, last_error FROM clip_stages WHERE clip_id = $1 ORDER BY stage", [clipId]).map {
            StageRecord(
                stage: try $0.string("stage"), status: try $0.string("status"), attempts: Int(try $0.int64("attempts")),
                lastError: $0["last_error"])
        }
    }

    public func isDone(_ clipId: String, _ stage: PipelineStage) async throws -> Bool {
        !(try await query("SELECT 1 FROM clip_stages WHERE clip_id = $1 AND stage = $2 AND status = 'done'", [clipId, stage.rawValue])).isEmpty
    }

    /// The required stages not done yet; empty when the clip may be posted.
    public func unfinishedStages(_ clipId: String) async throws -> [PipelineStage] {
        let done = Set(try await query("SELECT stage FROM clip_stages WHERE clip_id = $1 AND status = 'done'", [clipId]).compactMap { $0[0] })
        return PipelineStage.required.filter { !done.contains($0.rawValue) }
    }

    // MARK: Writes

    /// Creates the clip's row if it has none (the source never changes afterwards).
    public func ensureClip(_ clipId: String, sourceMedia: String) async throws {
        try await execute("INSERT INTO clip_results (clip_id, source_media) VALUES ($1, $2) ON CONFLICT (clip_id) DO NOTHING", [clipId, sourceMedia])
    }

    public func stageStarted(_ clipId: String, _ stage: PipelineStage, attempt: Int) async throws {
        try await writeStage(clipId, stage, status: "running", attempt: attempt, error: nil)
    }

    public func stageFailed(_ clipId: String, _ stage: PipelineStage, attempt: Int, error: String) async throws {
        try await writeStage(clipId, stage, status: "failed", attempt: attempt, error: String(error.prefix(2000)))
    }

    /// Marks the stage done; returns whether every required stage of the clip is now done.
    @discardableResult
    public func stageDone(_ clipId: String, _ stage: PipelineStage, attempt: Int) async throws -> Bool {
        try await writeStage(clipId, stage, status: "done", attempt: attempt, error: nil)
        return try await unfinishedStages(clipId).isEmpty
    }

    public func saveCaption(_ clipId: String, caption: String, model: String) async throws {
        try await setIfNull(clipId, column: "caption", "caption = $2, caption_model = $3", [caption, model])
    }

    public func saveMotion(_ clipId: String, motionJSON: String) async throws {
        try await setIfNull(clipId, column: "motion", "motion = $2::jsonb", [motionJSON])
    }

    public func saveTranscript(_ clipId: String, transcript: String) async throws {
        try await setIfNull(clipId, column: "transcript", "transcript = $2", [transcript])
    }

    public func saveScore(_ clipId: String, score: Double) async throws {
        try await setIfNull(clipId, column: "score", "score = $2::double precision", [String(score)])
    }

    public func savePolished(_ clipId: String, mediaId: String, url: String, bytes: Int64) async throws {
        try await setIfNull(
            clipId, column: "polished_media_id", "polished_media_id = $2, polished_url = $3, polished_bytes = $4::bigint",
            [mediaId, url, String(bytes)])
    }

    // MARK: Plumbing

    private func writeStage(_ clipId: String, _ stage: PipelineStage, status: String, attempt: Int, error: String?) async throws {
        try await execute(
            """
            INSERT INTO clip_stages (clip_id, stage, status, attempts, last_error) VALUES ($1, $2, $3, $4::integer, $5)
            ON CONFLICT (clip_id, stage) DO UPDATE
                SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error, updated_at = now()
                WHERE clip_stages.status <> 'done'
            """, [clipId, stage.rawValue, status, String(attempt), error])
    }

    /// `assignments` use $2... for `values`; they apply only while `column` is NULL.
    private func setIfNull(_ clipId: String, column: String, _ assignments: String, _ values: [String?]) async throws {
        try await execute(
            "UPDATE clip_results SET \(assignments), updated_at = now() WHERE clip_id = $1 AND \(column) IS NULL",
            [clipId] + values)
    }

    private func execute(_ sql: String, _ parameters: [String?]) async throws {
        _ = try await query(sql, parameters)
    }

    /// One statement; a lost session is dropped so the next call reconnects, and the job (whose
    /// error this becomes) is retried by the queue.
    private func query(_ sql: String, _ parameters: [String?]) async throws -> PostgresRows {
        let connection = try await connection()
        do {
            return try await timer.time("postgres") { try await connection.query(sql, parameters) }
        } catch let error as PostgresError where error.code == .connection || error.code == .closed {
            cached.withLock { if $0 === connection { $0 = nil } }
            throw JobFailure.transient("PostgreSQL: \(error.message)")
        }
    }

    private func connection() async throws -> PostgresConnection {
        if let connection = cached.withLock({ $0 }) { return connection }
        let fresh: PostgresConnection
        do {
            fresh = try await PostgresConnection.connect(url: url, options: .init(applicationName: "clipnet-worker"), logger: logger)
        } catch let error as PostgresError {
            throw JobFailure.transient("PostgreSQL (\(PostgresConnectionString.redacted(url))): \(error.message)")
        }
        let winner = cached.withLock { current -> PostgresConnection in
            if let current { return current }
            current = fresh
            return fresh
        }
        if winner !== fresh { await fresh.close() }
        return winner
    }

    /// Closes the session (at shutdown).
    public func close() async {
        if let connection = cached.withLock({ current -> PostgresConnection? in
            defer { current = nil }
            return current
        }) {
            await connection.close()
        }
    }
}
