import ClipnetConfig
import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import RedisClient
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// One real clip through the real `clipnet-worker` binary, twice: once undisturbed, once with a
/// SIGKILL in the middle of `clip:process` (while RunPod runs the motion step). Both runs must end
/// with the same rows in PostgreSQL and the same post to Clipbot.
@Suite(.serialized) struct ClipEndToEndKillTests {
    @Test func aClipKilledInTheMiddleEndsWithTheSameRowsAsAnUndisturbedOne() async throws {
        let fixture = try await QueueFixture()
        let folder = "\(fixture.environment)_clips/"
        // Each GPU step takes a second, so the kill lands while one is running.
        let runpod = RunPodEmulator(configuration: .init(timings: .init(queued: .milliseconds(50), running: .seconds(1))))
        let runpodServer = try await runpod.start()
        let cloudinary = CloudinaryEmulator()
        cloudinary.createFolder(String(folder.dropLast()))
        let cloudinaryServer = try await cloudinary.start()
        let clipbot = try LoopbackHTTPServer { _ in .respond(.json(#"{"ok":true}"#)) }
        let undisturbed = try await ResultsFixture()
        let killed = try await ResultsFixture()
        defer { clipbot.stop() }
        do {
            cloudinary.seed(publicId: "\(folder)raw/k1", bytes: try await TestClip.make())
            let job = JobEnvelope(
                id: "k1:clip:process", type: "clip:process",
                payload: .object(["clipId": "k1", "source": .string("\(folder)raw/k1.mp4")]))
            func environment(_ database: ResultsFixture) -> [String: String] {
                Self.workerEnvironment(
                    fixture: fixture, database: database.url, runpod: runpodServer.baseURL, apiKey: runpod.apiKey,
                    cloudinary: cloudinary, cloudinaryURL: cloudinaryServer.baseURL, clipbot: clipbot.baseURL)
            }
            func posts() -> [JSONValue] { clipbot.requests.compactMap { JSONValue.parse($0.body) } }
            func drained() async throws -> Bool {
                let depth = try await fixture.queue.depth()
                return depth.queued + depth.inFlight + depth.retrying + depth.delayed == 0
            }

            // 1. Undisturbed.
            try await fixture.queue.enqueue(job)
            let first = try WorkerChild.start(environment: environment(undisturbed))
            let firstDone = try await eventually(within: .seconds(120)) {
                if posts().count != 1 { return false }
                return try await drained()
            }
            #expect(await first.terminate() == 0)
            #expect(firstDone, "the undisturbed run did not finish (\(posts().count) posts): \(first.output)")
            try await Self.forgetQueue(fixture)

            // 2. SIGKILL while RunPod runs the motion step of clip:process, then a fresh worker.
            let submittedBefore = runpod.submittedInputs.count
            try await fixture.queue.enqueue(job)
            let victim = try WorkerChild.start(environment: environment(killed))
            let inMotion = await eventually(within: .seconds(60)) {
                runpod.submittedInputs.dropFirst(submittedBefore).contains { $0["task"] == "motion" }
            }
            #expect(inMotion)
            await victim.killHard()
            #expect(try await killed.store.clip("k1")?.caption != nil, "the kill came after the caption was kept")
            #expect(try await killed.store.isDone("k1", .process) == false, "the kill came before clip:process finished")
            let survivor = try WorkerChild.start(environment: environment(killed))
            let secondDone = try await eventually(within: .seconds(120)) {
                if posts().count != 2 { return false }
                return try await drained()
            }
            #expect(await survivor.terminate() == 0)
            #expect(secondDone, "the run with a kill did not finish (\(posts().count) posts): \(survivor.output)")

            #expect(try await killed.snapshot(withoutAttempts: true) == undisturbed.snapshot(withoutAttempts: true))
            #expect(posts().count == 2 && posts()[0] == posts()[1])
            let process = try await killed.store.stages("k1").first { $0.stage == "clip:process" }
            #expect(process?.status == "done")
            #expect(process?.attempts == 2, "the killed delivery counts as an attempt")
            #expect(try await fixture.queue.depth().dead == 0)
            // No log line of any of the three workers carries the Cloudinary secret.
            for child in [first, victim, survivor] {
                #expect(!child.output.contains(cloudinary.configuration.apiSecret))
                #expect(!child.output.contains(runpod.apiKey))
            }
            // The second run asked the GPU for the caption once only: it was kept before the kill.
            #expect(runpod.submittedInputs.dropFirst(submittedBefore).filter { $0["task"] == "caption" }.count == 1)
        } catch {
            await Self.stop(runpodServer, cloudinaryServer, undisturbed, killed)
            throw error
        }
        await Self.stop(runpodServer, cloudinaryServer, undisturbed, killed)
    }

    static func stop(_ runpod: EmulatorServer, _ cloudinary: EmulatorServer, _ a: ResultsFixture, _ b: ResultsFixture) async {
        await runpod.stop()
        await cloudinary.stop()
        await a.drop()
        await b.drop()
    }

    /// Deletes the environment's queue keys (idempotency keys included), so the second run starts
    /// from the same empty queue as the first.
    static func forgetQueue(_ fixture: QueueFixture) async throws {
        var cursor = "0"
        repeat {
            let reply = try await fixture.queue.connection.command(["SCAN", cursor, "MATCH", fixture.queue.keys.prefix + "*", "COUNT", "1000"])
            let parts = reply.array ?? []
            cursor = parts.first?.string ?? "0"
            let keys = (parts.dropFirst().first?.array ?? []).compactMap(\.string)
            if !keys.isEmpty { _ = try await fixture.queue.connection.command(["DEL"] + keys) }
        } while cursor != "0"
    }

    static func workerEnvironment(
        fixture: QueueFixture, database: String, runpod: String, apiKey: String, cloudinary: CloudinaryEmulator,
        cloudinaryURL: String, clipbot: String
    ) -> [String: String] {
        let production = IsolationFingerprints(
            environment: "production",
            entries: [
                .init(resource: .redis, fingerprint: Fingerprint.of("redis://prod-redis.clipnet.internal:6379/0")),
                .init(resource: .cloudinaryFolder, fingerprint: Fingerprint.of("prod_clips/")),
            ])
        let account = cloudinary.configuration
        var environment = ProcessInfo.processInfo.environment
        environment.merge([
            "CLIPNET_ENVIRONMENT": fixture.environment, "REDIS_URL": fixture.redisURL, "DATABASE_URL": database,
            "CLOUDINARY_FOLDER": "\(fixture.environment)_clips/", "RUNPOD_NAMESPACE": "\(fixture.environment)-ns",
            "CLIPNET_PRODUCTION_FINGERPRINTS": production.jsonString(), "CLIPNET_VERSION": "e2e",
            "RUNPOD_ENDPOINT_URL": runpod, "RUNPOD_API_KEY": apiKey, "RUNPOD_GPU_CAP": "2", "RUNPOD_GPU_LEASE_SECONDS": "3",
            "CLOUDINARY_URL": "cloudinary://\(account.apiKey):\(account.apiSecret)@\(account.cloudName)",
            "CLOUDINARY_API_BASE_URL": cloudinaryURL, "CLOUDINARY_DELIVERY_BASE_URL": cloudinaryURL,
            "CLIPBOT_POST_URL": clipbot + "/v1/posts", "FFMPEG_ARGUMENTS": fastPolishArguments.joined(separator: " "),
        ]) { $1 }
        for (model, path) in PipelineHarness.models { environment["RUNPOD_MODEL_\(model.uppercased())"] = path }
        return environment
    }
}

/// The real `clipnet-worker` as a child (`TestChild`: posix_spawn, its output collected and its
/// exit awaited on a thread of its own).
enum WorkerChild {
    static func start(environment: [String: String]) throws -> TestChild {
        try TestChild.worker(
            [
                "run", "--concurrency", "4", "--metrics-port", "0", "--heartbeat-ttl-seconds", "1",
                "--retry-initial-ms", "100", "--log-level", "info",
            ], environment: environment)
    }
}
