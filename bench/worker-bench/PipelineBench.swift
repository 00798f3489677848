import Foundation
import Logging
import PostgresClient
import WorkerEngine
import WorkerSandbox

/// One clip at a time through the whole pipeline (`PipelineSandbox`: RunPod and Cloudinary
/// emulators on loopback, real ffmpeg, the test Redis and PostgreSQL), concurrency 1, so a clip's
/// wall time is its stages one after the other. Prints the wall time per clip beside the time spent
/// in external calls (RunPod, Cloudinary, ffmpeg, PostgreSQL, Clipbot), and the worker's own share.
///
/// Usage: WorkerBench pipeline [clips=10]  (needs CLIPNET_TEST_REDIS_URL and CLIPNET_TEST_POSTGRES_URL,
/// as `scripts/with-test-services.sh` sets them)
enum PipelineBench {
    static func run(clips: Int) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let redisURL = environment["CLIPNET_TEST_REDIS_URL"], let postgresURL = environment["CLIPNET_TEST_POSTGRES_URL"] else {
            print("pipeline: needs CLIPNET_TEST_REDIS_URL and CLIPNET_TEST_POSTGRES_URL (run it under scripts/with-test-services.sh)")
            return
        }
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let name = "bench\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await PostgresConnection.connect(url: postgresURL)
        try await admin.execute("CREATE DATABASE \(name)")
        var components = URLComponents(string: postgresURL)!
        components.path = "/" + name

        let sandbox = try await PipelineSandbox.start(redisURL: redisURL, databaseURL: components.string!, logger: logger)
        let source = try await PipelineSandbox.makeClip(seconds: 2)
        let processor = try sandbox.processor(concurrency: 1, logger: logger)
        let clock = ContinuousClock()
        var walls: [Double] = []
        var externals: [Double] = []
        func externalSeconds() -> Double { sandbox.metrics.externalTotals.values.reduce(0) { $0 + $1.seconds } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            for index in 0..<clips {
                let clipId = "clip\(index)"
                sandbox.seedSource(clipId: clipId, bytes: source)
                let before = externalSeconds()
                let started = clock.now
                try await sandbox.queue.enqueue(sandbox.processJob(clipId: clipId))
                while sandbox.posts.count < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
                walls.append(seconds(clock.now - started))
                externals.append(externalSeconds() - before)
            }
            processor.beginShutdown()
            try await group.waitForAll()
        }
        let totals = sandbox.metrics.externalTotals
        let wall = WorkerBench.median(walls) * 1000
        let external = WorkerBench.median(externals) * 1000
        let ratios = zip(walls, externals).map { $0 / $1 }.sorted()
        print("")
        print(
            String(
                format:
                    "pipeline, one %d KB clip at a time (%d clips, concurrency 1): wall %.0f ms per clip (median), external calls %.0f ms per clip",
                source.count / 1024, clips, wall, external))
        print(
            "  external calls over the run: "
                + totals.sorted { $0.key < $1.key }.map {
                    "\($0.key) " + String(format: "%.0f ms in %d calls", $0.value.seconds * 1000, $0.value.calls)
                }.joined(separator: ", "))
        print(
            String(
                format: "  the worker's own share: %.1f ms per clip, %.1f %% of the wall time (wall / external calls = %.3f)",
                wall - external, 100 * (wall - external) / wall, wall / external))
        print(
            String(
                format: "  wall / external calls per clip: median %.3f, lowest %.3f, highest %.3f",
                WorkerBench.median(ratios), ratios.first ?? 0, ratios.last ?? 0))

        await sandbox.stop()
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
