import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import Synchronization
import TestSupport

@testable import WorkerEngine

/// Everything one in-process run of the clip pipeline needs: a queue on the test Redis, a results
/// database on the test PostgreSQL, the RunPod and Cloudinary emulators, a loopback Clipbot, real
/// ffmpeg, and the six handlers wired to them.
struct PipelineHarness: Sendable {
    let fixture: QueueFixture
    let results: ResultsFixture
    let runpod: RunPodEmulator
    let cloudinary: CloudinaryEmulator
    let clipbot: LoopbackHTTPServer
    let context: HandlerContext
    let metrics: WorkerMetrics

    var folder: String { "\(fixture.environment)_clips/" }
    static let models = [
        "blip": "/models/blip", "clip": "/models/clip", "motion": "/models/motion", "whisper": "/models/whisper", "score": "/models/score",
    ]

    /// The bodies Clipbot received for `clipbot:post`.
    var posts: [JSONValue] { clipbot.requests.filter { $0.path == "/v1/posts" }.compactMap { JSONValue.parse($0.body) } }

    static func with<T: Sendable>(gpuCap: Int = 2, _ body: @Sendable (PipelineHarness) async throws -> T) async throws -> T {
        let fixture = try await QueueFixture()
        let runpod = RunPodEmulator()
        let runpodServer = try await runpod.start()
        let cloudinary = CloudinaryEmulator()
        cloudinary.createFolder("\(fixture.environment)_clips")
        let cloudinaryServer = try await cloudinary.start()
        let clipbot = try LoopbackHTTPServer { _ in .respond(.json(#"{"ok":true}"#)) }
        let results = try await ResultsFixture()
        defer { clipbot.stop() }
        do {
            let runtime = try CurlRuntime()
            let http = HTTPClient(runtime: runtime)
            var runpodClient = RunPodClient(
                http: http, endpointURL: runpodServer.baseURL, apiKey: runpod.apiKey,
                namespace: "\(fixture.environment)-ns", modelPaths: models)
            runpodClient.pollInterval = .milliseconds(10)
            let metrics = WorkerMetrics()
            let gate = GPUGate(
                semaphore: GPULeaseSemaphore(
                    connection: fixture.queue.connection,
                    key: fixture.queue.keys.gpuLeases(namespace: "\(fixture.environment)-ns"), capacity: gpuCap),
                namespace: "\(fixture.environment)-ns", metrics: metrics, localWait: .milliseconds(200), deferDelay: .milliseconds(50))
            let context = HandlerContext(
                settings: fixture.settings, http: http, runpod: runpodClient, gpu: gate,
                cloudinary: CloudinaryClient(
                    configuration: cloudinaryConfiguration(cloudinary, cloudinaryServer), folder: MediaFolder("\(fixture.environment)_clips/"),
                    runtime: runtime),
                results: results.store, clipbotPostURL: clipbot.baseURL + "/v1/posts", clipbotNotifyURL: clipbot.baseURL + "/v1/notify",
                ffmpegTimeout: .seconds(120), ffmpegArguments: fastPolishArguments)
            let harness = PipelineHarness(
                fixture: fixture, results: results, runpod: runpod, cloudinary: cloudinary, clipbot: clipbot,
                context: context, metrics: metrics)
            let value = try await body(harness)
            await runpodServer.stop()
            await cloudinaryServer.stop()
            await results.drop()
            return value
        } catch {
            await runpodServer.stop()
            await cloudinaryServer.stop()
            await results.drop()
            throw error
        }
    }

    /// Runs the six handlers until `condition` holds (or the guard limit passes).
    func runWorker(until condition: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        try await fixture.withWorker(handlers: StandardHandlers.make(context: context), metrics: metrics) { _ in
            try await QueueFixture.eventually(.seconds(90), condition)
        }
    }

    /// Whether the queue has nothing left to run (dead entries aside).
    func drained() async throws -> Bool {
        let depth = try await fixture.queue.depth()
        return depth.queued + depth.inFlight + depth.retrying + depth.delayed == 0
    }

    /// Whether Clipbot got `count` posts and the queue is empty.
    func posted(_ count: Int) async throws -> Bool {
        guard posts.count == count else { return false }
        return try await drained()
    }

    /// Seeds a real ffmpeg-made clip as `<folder>raw/<clipId>.mp4` and returns its bytes.
    @discardableResult
    func seedSource(_ clipId: String) async throws -> [UInt8] {
        let bytes = try await TestClip.make()
        cloudinary.seed(publicId: "\(folder)raw/\(clipId)", bytes: bytes)
        return bytes
    }

    func processJob(_ clipId: String) -> JobEnvelope {
        JobEnvelope(
            id: "\(clipId):clip:process", type: "clip:process",
            payload: .object(["clipId": .string(clipId), "source": .string("\(folder)raw/\(clipId).mp4")]))
    }
}
