import PostgresClient
import TestSupport
import Testing

@testable import WorkerEngine

/// The results schema and its idempotent writes, against the real test PostgreSQL.
@Suite struct ResultsStoreTests {
    @Test func migrationsApplyOnceAndASecondStartChangesNothing() async throws {
        try await withResults { results in
            // `withResults` migrated once; a second start (another replica) runs nothing.
            let connection = try await PostgresConnection.connect(url: results.url)
            #expect(try await ResultsSchema.migrate(connection) == 0)
            let versions = try await connection.query("SELECT version FROM clipnet_worker_schema ORDER BY version").compactMap { $0[0] }
            #expect(versions == ResultsSchema.migrations.map { String($0.version) })
            await connection.close()
        }
    }

    @Test func concurrentStartsMigrateTheSchemaExactlyOnce() async throws {
        let (name, url) = try await WorkerTestDatabase.create(prefix: "migrate")
        let ran: Int
        do {
            ran = try await Self.migrateConcurrently(url)
        } catch {
            await WorkerTestDatabase.drop(name)
            throw error
        }
        await WorkerTestDatabase.drop(name)
        #expect(ran == ResultsSchema.migrations.count)
    }

    static func migrateConcurrently(_ url: String) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try await PostgresConnection.connect(url: url)
                    let ran = try await ResultsSchema.migrate(connection)
                    await connection.close()
                    return ran
                }
            }
            return try await group.reduce(0, +)
        }
    }

    @Test func aResultIsKeptFromTheFirstRunThatProducedIt() async throws {
        try await withResults { results in
            let store = results.store
            try await store.ensureClip("c1", sourceMedia: "staging_clips/raw/c1.mp4")
            try await store.saveCaption("c1", caption: "first", model: "blip")
            try await store.saveCaption("c1", caption: "second", model: "clip")
            try await store.saveScore("c1", score: 0.5)
            try await store.saveScore("c1", score: 0.9)
            try await store.ensureClip("c1", sourceMedia: "staging_clips/raw/other.mp4")
            let clip = try #require(try await store.clip("c1"))
            #expect(clip.caption == "first")
            #expect(clip.captionModel == "blip")
            #expect(clip.score == 0.5)
            #expect(clip.sourceMedia == "staging_clips/raw/c1.mp4")
        }
    }

    @Test func aDoneStageIsNeverWrittenAgain() async throws {
        try await withResults { results in
            let store = results.store
            try await store.ensureClip("c1", sourceMedia: "staging_clips/raw/c1.mp4")
            try await store.stageStarted("c1", .score, attempt: 1)
            try await store.stageFailed("c1", .score, attempt: 1, error: "boom")
            #expect(try await store.stages("c1") == [StageRecord(stage: "ml:score", status: "failed", attempts: 1, lastError: "boom")])
            try await store.stageStarted("c1", .score, attempt: 2)
            try await store.stageDone("c1", .score, attempt: 2)
            let done = try await results.snapshot(withTimestamps: true)
            // What an at-least-once re-run would write:
            try await store.stageStarted("c1", .score, attempt: 3)
            try await store.stageFailed("c1", .score, attempt: 3, error: "late")
            try await store.stageDone("c1", .score, attempt: 3)
            #expect(try await results.snapshot(withTimestamps: true) == done)
            #expect(try await store.stages("c1") == [StageRecord(stage: "ml:score", status: "done", attempts: 2, lastError: nil)])
        }
    }

    @Test func aClipIsFinishedOnlyWhenEveryRequiredStageIsDone() async throws {
        try await withResults { results in
            let store = results.store
            try await store.ensureClip("c1", sourceMedia: "staging_clips/raw/c1.mp4")
            var finished = false
            for stage in PipelineStage.required {
                #expect(!finished, "finished before \(stage.rawValue) was done")
                #expect(try await store.unfinishedStages("c1").contains(stage))
                finished = try await store.stageDone("c1", stage, attempt: 1)
            }
            #expect(finished)
            #expect(try await store.unfinishedStages("c1").isEmpty)
        }
    }
}
