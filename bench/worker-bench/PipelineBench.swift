import ClipnetConfig
import ClipnetJSON
import Foundation
import HTTPTransport
import Logging
import PlatformEmulators
import PostgresClient
import RedisClient
import WorkerEngine

/// One clip at a time through the whole pipeline (RunPod and Cloudinary emulators on loopback,
/// real ffmpeg, the given Redis and PostgreSQL), concurrency 1, so a clip's wall time is its stages
/// one after the other. Prints the wall time per clip beside the time spent in external calls
/// (RunPod, Cloudinary, ffmpeg, PostgreSQL, Clipbot) per clip, and the worker's own share.
///
/// Usage: WorkerBench pipeline [clips=10]  (needs CLIPNET_TEST_REDIS_URL and CLIPNET_TEST_POSTGRES_URL,
/// as `scripts/with-test-services.sh` sets them)
enum PipelineBench {
    /// Clipbot standing in: answers every post with 200 and keeps the log.
    struct ClipbotSink: EmulatedPlatform {
        struct Renderer: PlatformErrorRenderer {
            func rateLimited(retryAfter: String) -> EmulatorResponse { .json(["error": "rate limited"], status: 429) }
            func serverError(status: Int) -> EmulatorResponse { .json(["error": "server error"], status: status) }
        }
        var errorRenderer: any PlatformErrorRenderer { Renderer() }
        func operationName(for request: EmulatorRequest) -> String? { nil }
        func handle(_ request: EmulatorRequest) async -> EmulatorResponse { .json(["ok": true]) }
        func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? { nil }
    }

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
        let databaseURL = components.string!

        let folder = "\(name)_clips/"
        let runpod = RunPodEmulator(configuration: .init(timings: .init(queued: .milliseconds(5), running: .milliseconds(10))))
        let runpodServer = try await runpod.start()
        let cloudinary = CloudinaryEmulator()
        cloudinary.createFolder(String(folder.dropLast()))
        let cloudinaryServer = try await cloudinary.start()
        let sink = EmulatorHost(platform: ClipbotSink())
        let sinkServer = try await EmulatorServer.start(sink, name: "clipbot-sink")

        let made = try await Subprocess.run("ffmpeg", [
            "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "/tmp/\(name).mp4",
        ], timeout: .seconds(120))
        guard made.status == 0, let source = FileManager.default.contents(atPath: "/tmp/\(name).mp4") else {
            print("pipeline: ffmpeg could not make the clip: \(made.output)")
            return
        }
        try? FileManager.default.removeItem(atPath: "/tmp/\(name).mp4")

        let metrics = WorkerMetrics()
        let timer = ExternalCallTimer(metrics: metrics)
        let runtime = try CurlRuntime()
        let http = HTTPClient(runtime: runtime)
        let models = ["blip": "/m/blip", "clip": "/m/clip", "motion": "/m/motion", "whisper": "/m/whisper", "score": "/m/score"]
        var runpodClient = RunPodClient(http: http, endpointURL: runpodServer.baseURL, apiKey: runpod.apiKey, namespace: "\(name)-ns", modelPaths: models)
        runpodClient.pollInterval = .milliseconds(5)
        let queue = JobQueue(connection: try await RedisConnection.connect(to: redisURL), keys: QueueKeys(environment: name))
        let settings = WorkerSettings(environment: name, redisURL: redisURL, postgresURL: databaseURL, cloudinaryFolder: folder,
                                      runpodNamespace: "\(name)-ns", runpodModelPaths: models)
        let results = ClipResultsStore(url: databaseURL, logger: logger, timer: timer)
        try await results.migrate()
        let context = HandlerContext(
            settings: settings, http: http, runpod: runpodClient,
            gpu: GPUGate(semaphore: GPULeaseSemaphore(connection: queue.connection, key: queue.keys.gpuLeases(namespace: "\(name)-ns"), capacity: 2),
                         namespace: "\(name)-ns", metrics: metrics),
            cloudinary: CloudinaryClient(configuration: CloudinaryConfiguration(
                cloudName: cloudinary.configuration.cloudName, apiKey: cloudinary.configuration.apiKey, apiSecret: cloudinary.configuration.apiSecret,
                apiBaseURL: cloudinaryServer.baseURL, deliveryBaseURL: cloudinaryServer.baseURL), folder: MediaFolder(folder), runtime: runtime),
            results: results, clipbotPostURL: sinkServer.baseURL + "/v1/posts", timer: timer)
        let processor = JobProcessor(workerID: "bench-pipeline", queue: queue, redisURL: try RedisURL(parsing: redisURL),
                                     registry: JobRegistry(StandardHandlers.make(context: context)),
                                     configuration: ProcessorConfiguration(concurrency: 1, blockTimeout: .milliseconds(100)),
                                     metrics: metrics, logger: logger)
        let clock = ContinuousClock()
        var walls: [Double] = []
        var externals: [Double] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            for index in 0..<clips {
                let clipId = "clip\(index)"
                cloudinary.seed(publicId: "\(folder)raw/\(clipId)", bytes: Array(source))
                let before = metrics.externalTotals.values.reduce(0) { $0 + $1.seconds }
                let started = clock.now
                try await queue.enqueue(JobEnvelope(id: "\(clipId):clip:process", type: "clip:process",
                                                    payload: .object(["clipId": .string(clipId), "source": .string("\(folder)raw/\(clipId).mp4")])))
                while sink.log.all.count < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
                walls.append(seconds(clock.now - started))
                externals.append(metrics.externalTotals.values.reduce(0) { $0 + $1.seconds } - before)
            }
            processor.beginShutdown()
            try await group.waitForAll()
        }
        let totals = metrics.externalTotals
        let wall = WorkerBench.median(walls) * 1000
        let external = WorkerBench.median(externals) * 1000
        print("")
        print(String(format: "pipeline, one %d KB clip at a time (%d clips, concurrency 1): wall %.0f ms per clip (median), external calls %.0f ms per clip",
                     source.count / 1024, clips, wall, external))
        print("  external calls over the run: " + totals.sorted { $0.key < $1.key }.map {
            "\($0.key) " + String(format: "%.0f ms in %d calls", $0.value.seconds * 1000, $0.value.calls)
        }.joined(separator: ", "))
        print(String(format: "  the worker's own share: %.1f ms per clip, %.1f %% of the wall time (wall / external calls = %.3f)",
                     wall - external, 100 * (wall - external) / wall, wall / external))

        await results.close()
        await runpodServer.stop()
        await cloudinaryServer.stop()
        await sinkServer.stop()
        try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
