import ClipnetConfig
public import ClipnetJSON
import Foundation
import HTTPTransport
public import Logging
public import PlatformEmulators
import RedisClient
public import WorkerEngine

/// The clip pipeline on loopback: RunPod and Cloudinary emulators, a Clipbot that answers 200,
/// and the handlers wired to them, a given Redis and a given PostgreSQL, in a fresh environment
/// name. `clipnet-worker demo` and the pipeline benchmark run one clip at a time through it.
public final class PipelineSandbox: Sendable {
    public let environment: String
    public let folder: String
    public let runpod: RunPodEmulator
    public let cloudinary: CloudinaryEmulator
    public let clipbot: EmulatorHost
    public let context: HandlerContext
    public let queue: JobQueue
    public let metrics: WorkerMetrics
    public let results: ClipResultsStore
    private let servers: [EmulatorServer]

    /// Clipbot standing in: answers every post with 200; its host keeps the log.
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

    public static let models = [
        "blip": "/models/blip", "clip": "/models/clip", "motion": "/models/motion",
        "whisper": "/models/whisper", "score": "/models/score",
    ]

    private init(
        environment: String, runpod: RunPodEmulator, cloudinary: CloudinaryEmulator, clipbot: EmulatorHost,
        context: HandlerContext, queue: JobQueue, metrics: WorkerMetrics, results: ClipResultsStore, servers: [EmulatorServer]
    ) {
        self.environment = environment
        self.folder = "\(environment)_clips/"
        self.runpod = runpod
        self.cloudinary = cloudinary
        self.clipbot = clipbot
        self.context = context
        self.queue = queue
        self.metrics = metrics
        self.results = results
        self.servers = servers
    }

    /// Starts the emulators and migrates the results schema in `databaseURL`.
    /// - Parameter gpuStep: how long the emulated GPU takes per job.
    public static func start(
        redisURL: String, databaseURL: String, gpuStep: Duration = .milliseconds(10),
        logger: Logger
    ) async throws -> PipelineSandbox {
        let environment = "sandbox\(UUID().uuidString.prefix(8).lowercased())"
        let folder = "\(environment)_clips/"
        let namespace = "\(environment)-ns"
        let runpod = RunPodEmulator(configuration: .init(timings: .init(queued: .milliseconds(5), running: gpuStep)))
        let cloudinary = CloudinaryEmulator()
        cloudinary.createFolder(String(folder.dropLast()))
        let clipbot = EmulatorHost(platform: ClipbotSink())
        var servers: [EmulatorServer] = []
        do {
            let runpodServer = try await runpod.start()
            servers.append(runpodServer)
            let cloudinaryServer = try await cloudinary.start()
            servers.append(cloudinaryServer)
            let clipbotServer = try await EmulatorServer.start(clipbot, name: "clipbot-sink")
            servers.append(clipbotServer)

            let metrics = WorkerMetrics()
            let timer = ExternalCallTimer(metrics: metrics)
            let runtime = try CurlRuntime()
            let http = HTTPClient(runtime: runtime)
            var runpodClient = RunPodClient(
                http: http, endpointURL: runpodServer.baseURL, apiKey: runpod.apiKey, namespace: namespace, modelPaths: models)
            runpodClient.pollInterval = .milliseconds(5)
            let queue = JobQueue(connection: try await RedisConnection.connect(to: redisURL), keys: QueueKeys(environment: environment))
            let settings = WorkerSettings(
                environment: environment, redisURL: redisURL, postgresURL: databaseURL, cloudinaryFolder: folder,
                runpodNamespace: namespace, runpodModelPaths: models)
            let results = ClipResultsStore(url: databaseURL, logger: logger, timer: timer)
            try await results.migrate()
            let account = cloudinary.configuration
            let context = HandlerContext(
                settings: settings, http: http, runpod: runpodClient,
                gpu: GPUGate(
                    semaphore: GPULeaseSemaphore(connection: queue.connection, key: queue.keys.gpuLeases(namespace: namespace), capacity: 2),
                    namespace: namespace, metrics: metrics),
                cloudinary: CloudinaryClient(
                    configuration: CloudinaryConfiguration(
                        cloudName: account.cloudName, apiKey: account.apiKey, apiSecret: account.apiSecret,
                        apiBaseURL: cloudinaryServer.baseURL, deliveryBaseURL: cloudinaryServer.baseURL), folder: MediaFolder(folder),
                    runtime: runtime),
                results: results, clipbotPostURL: clipbotServer.baseURL + "/v1/posts", timer: timer)
            return PipelineSandbox(
                environment: environment, runpod: runpod, cloudinary: cloudinary, clipbot: clipbot, context: context,
                queue: queue, metrics: metrics, results: results, servers: servers)
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
    }

    /// A real short clip from ffmpeg's `testsrc` and `sine` sources (H.264 and AAC in MP4).
    public static func makeClip(seconds: Int = 2) async throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "clipnet-sandbox-\(UUID().uuidString.prefix(8)).mp4"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let made = try await Subprocess.run(
            "ffmpeg",
            [
                "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", path,
            ], timeout: .seconds(120))
        guard made.status == 0, let data = FileManager.default.contents(atPath: path) else {
            throw PipelineStartupError(message: "ffmpeg could not make the clip: \(made.output.suffix(400))")
        }
        return Array(data)
    }

    /// Stores `bytes` as the clip's source in the emulated Cloudinary folder.
    public func seedSource(clipId: String, bytes: [UInt8]) {
        cloudinary.seed(publicId: "\(folder)raw/\(clipId)", bytes: bytes)
    }

    /// The job that starts a clip's pipeline.
    public func processJob(clipId: String) -> JobEnvelope {
        JobEnvelope(
            id: "\(clipId):clip:process", type: "clip:process",
            payload: .object(["clipId": .string(clipId), "source": .string("\(folder)raw/\(clipId).mp4")]))
    }

    /// A processor running the six handlers on this sandbox's queue.
    public func processor(concurrency: Int, logger: Logger) throws -> JobProcessor {
        JobProcessor(
            workerID: "\(environment)-worker", queue: queue, redisURL: try RedisURL(parsing: context.settings.redisURL.reveal()),
            registry: JobRegistry(StandardHandlers.make(context: context)),
            configuration: ProcessorConfiguration(concurrency: concurrency, blockTimeout: .milliseconds(100)),
            metrics: metrics, logger: logger)
    }

    /// The bodies Clipbot received.
    public var posts: [JSONValue] { clipbot.log.all.compactMap { JSONValue.parse($0.body) } }

    public func stop() async {
        await results.close()
        for server in servers { await server.stop() }
    }
}
