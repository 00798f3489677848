import ArgumentParser
import ClipnetJSON
import Foundation
import Logging
import WorkerEngine
import WorkerSandbox

/// `clipnet-worker demo`: one real short clip through the whole pipeline on loopback, printing
/// each stage as it happens, the row kept in PostgreSQL and the post Clipbot received.
///
/// Needs a Redis and a PostgreSQL it may write to (`--redis-url`/`REDIS_URL`,
/// `--database-url`/`DATABASE_URL`; `scripts/with-test-services.sh` provides throwaway ones, whose
/// `CLIPNET_TEST_*` variables are read too) and ffmpeg.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Run one generated clip through the pipeline on loopback.")

    @Option(help: "Redis URL (default: $REDIS_URL, else $CLIPNET_TEST_REDIS_URL).") var redisURL: String?
    @Option(help: "PostgreSQL URL (default: $DATABASE_URL, else $CLIPNET_TEST_POSTGRES_URL).") var databaseURL: String?
    @Option(help: "Milliseconds each emulated GPU step takes.") var gpuMilliseconds = 500

    func run() async throws {
        let variables = ProcessInfo.processInfo.environment
        func setting(_ option: String?, _ names: String...) -> String? {
            option ?? names.lazy.compactMap { variables[$0] }.first { !$0.isEmpty }
        }
        guard let redis = setting(redisURL, "REDIS_URL", "CLIPNET_TEST_REDIS_URL") else {
            throw ValidationError("set --redis-url or REDIS_URL (or run under scripts/with-test-services.sh)")
        }
        guard let database = setting(databaseURL, "DATABASE_URL", "CLIPNET_TEST_POSTGRES_URL") else {
            throw ValidationError("set --database-url or DATABASE_URL (or run under scripts/with-test-services.sh)")
        }
        let quiet = Logger(label: "demo", factory: { _ in SwiftLogNoOpLogHandler() })
        let sandbox = try await PipelineSandbox.start(
            redisURL: redis, databaseURL: database, gpuStep: .milliseconds(Int64(gpuMilliseconds)), logger: quiet)
        let clipId = "demo-\(UUID().uuidString.prefix(6).lowercased())"
        print("environment \(sandbox.environment): RunPod and Cloudinary emulated on loopback, folder \(sandbox.folder)")
        let source = try await PipelineSandbox.makeClip(seconds: 2)
        sandbox.seedSource(clipId: clipId, bytes: source)
        print("source: a 2 s clip from ffmpeg's testsrc and sine, \(source.count) bytes, as \(sandbox.folder)raw/\(clipId).mp4")
        let processor = try sandbox.processor(concurrency: 4, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            try await sandbox.queue.enqueue(sandbox.processJob(clipId: clipId))
            var seen: [String: String] = [:]
            func report() async throws {
                for stage in try await sandbox.results.stages(clipId) where seen[stage.stage] != stage.status {
                    seen[stage.stage] = stage.status
                    print("  \(stage.stage): \(stage.status) (attempt \(stage.attempts))\(stage.lastError.map { ": \($0)" } ?? "")")
                }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while seen[PipelineStage.post.rawValue] != "done" && ContinuousClock.now < deadline {
                try await report()
                try await Task.sleep(for: .milliseconds(20))
            }
            processor.beginShutdown()
            try await group.waitForAll()
        }
        guard let post = sandbox.posts.first, let clip = try await sandbox.results.clip(clipId) else {
            await sandbox.stop()
            throw ValidationError("the clip did not finish within 2 minutes")
        }
        print(
            "row in clip_results: caption \"\(clip.caption ?? "-")\" (\(clip.captionModel ?? "-")), transcript \"\(clip.transcript ?? "-")\", "
                + "score \(clip.score.map { String($0) } ?? "-"), polished \(clip.polishedMediaId ?? "-") (\(clip.polishedBytes ?? 0) bytes)")
        print("posted to Clipbot: \(String(decoding: post.serialized, as: UTF8.self))")
        await sandbox.stop()
    }
}
