import ClipnetJSON
import ClipnetLogging
import Foundation
import HTTPTransport
import Logging
import PlatformEmulators
import TestSupport
import Testing

@testable import WorkerEngine

@Suite struct HandlerTests {
    @Test(arguments: [
        "prod_clips/a.mp4", "staging_clips/../prod_clips/a.mp4", "/etc/passwd", "staging_clips/", "staging_clipsx/a.mp4",
        "staging_clips/%2e%2e/prod_clips/a.mp4", "staging_clips/a.mp4?prod_clips/b", "staging_clips//prod_clips/a.mp4",
        "staging_clips/\u{FF0E}\u{FF0E}/prod_clips/a.mp4", "staging_clips/a b.mp4", "staging_clips/a.mp4#x",
    ])
    func mediaPathsOutsideTheFolderAreRefused(_ path: String) throws {
        let failure = try #require(throws: JobFailure.self) { try MediaFolder("staging_clips/").confine(path, field: "media") }
        #expect(failure.code == .invalidPayload)
    }

    @Test func mediaPathInsideTheFolderIsAccepted() throws {
        #expect(try MediaFolder("staging_clips/").confine("staging_clips/raw/a.mp4", field: "media") == "staging_clips/raw/a.mp4")
    }

    @Test func missingFfmpegIsAClearPermanentFailureInTheDeadSet() async throws {
        let fixture = try await QueueFixture()
        let folder = "\(fixture.environment)_clips/"
        try await withResults { results in
            try await withCloudinaryEmulator(folder: folder) { emulator, cloudinary in
                emulator.seed(publicId: folder + "raw/a", bytes: Array("not really a video".utf8))
                let context = HandlerContext(
                    settings: fixture.settings, cloudinary: cloudinary, results: results.store,
                    ffmpegPath: "/nonexistent/ffmpeg")
                try await fixture.queue.enqueue(
                    JobEnvelope(
                        id: "polish", type: "ffmpeg:polish",
                        payload: .object([
                            "clipId": .string("c1"), "input": .string(folder + "raw/a.mp4"), "output": .string(folder + "polished/b.mp4"),
                        ])))
                let dead = try await fixture.withWorker(handlers: [FFmpegPolishHandler(context: context)]) { _ in
                    try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
                }
                #expect(dead)
                let letter = try #require(try await fixture.queue.deadLetters().first)
                #expect(letter.reason == .permanent)
                #expect(letter.error.contains("not found"))
                #expect(try await results.store.stages("c1").first?.status == "failed")
            }
        }
    }

    @Test func clipProcessCallsRunPodWithTheNamespaceAndEnqueuesTheNextStages() async throws {
        let fixture = try await QueueFixture()
        let inputs = try await withRunPodEmulator { emulator, server, http in
            var runpod = RunPodClient(
                http: http, endpointURL: server.baseURL, apiKey: emulator.apiKey, namespace: "\(fixture.environment)-ns",
                modelPaths: ["blip": "/m/blip", "clip": "/m/clip", "motion": "/m/motion"])
            runpod.pollInterval = .milliseconds(10)
            let client = runpod
            return try await withResults { results in
                let context = HandlerContext(settings: fixture.settings, http: http, runpod: client, results: results.store)
                let folder = "\(fixture.environment)_clips/"
                emulator.injectJobFaults([.failed])  // BLIP fails: the CLIP fallback runs
                try await fixture.queue.enqueue(
                    JobEnvelope(
                        id: "clip", type: "clip:process",
                        payload: .object(["clipId": .string("c9"), "source": .string(folder + "c9.mp4")])))
                let stages = try await fixture.withWorker(handlers: [ClipProcessHandler(context: context)]) { _ in
                    // Only clip:process runs here, so the enqueued stages end as unknown types in the dead set.
                    try await QueueFixture.eventually { try await fixture.queue.depth().dead == 3 }
                }
                #expect(stages)
                let clip = try #require(try await results.store.clip("c9"))
                #expect(clip.captionModel == "clip")
                #expect(
                    clip.caption
                        == RunPodEmulator.output(for: ["task": "caption", "model": "clip", "media": .string(folder + "c9.mp4")])["caption"]?
                        .stringValue)
                #expect(clip.motion != nil)
                #expect(try await results.store.isDone("c9", .process))
                return emulator.submittedInputs
            }
        }
        let types = Set(try await fixture.queue.deadLetters().compactMap(\.type))
        #expect(types == ["ffmpeg:polish", "whisper:batch", "ml:score"])
        #expect(inputs.map { $0["modelPath"] ?? "" } == ["/m/blip", "/m/clip", "/m/motion"])
        #expect(inputs.allSatisfy { $0["namespace"] == "\(fixture.environment)-ns" })
    }

    @Test func metricsCountOutcomesByType() {
        let metrics = WorkerMetrics()
        metrics.count(.processed, type: "clip:process")
        metrics.count(.dead, type: "ml:score")
        metrics.observeDuration(.milliseconds(3), type: "clip:process")
        let text = metrics.render()
        #expect(text.contains("clipnet_worker_jobs_processed_total{type=\"clip:process\"} 1"))
        #expect(text.contains("clipnet_worker_jobs_dead_total{type=\"ml:score\"} 1"))
        #expect(text.contains("clipnet_worker_handler_duration_seconds_bucket{type=\"clip:process\",le=\"0.005\"} 1"))
    }

    @Test func logLinesAreJSONWithTheJobMetadata() throws {
        let capture = LogCapture()
        var logger = Logger(label: "w") { ClipnetLogHandler(label: $0, format: .json, sink: capture.sink) }
        logger[metadataKey: "environment"] = "staging"
        logger.info("Job done", metadata: ["job.id": "j1", "job.type": "ml:score", "job.attempt": "2"])
        let line = try #require(capture.lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["job.id"] as? String == "j1")
        #expect(object["environment"] as? String == "staging")
        #expect(object["message"] as? String == "Job done")
        #expect(object["level"] as? String == "info")
    }
}
