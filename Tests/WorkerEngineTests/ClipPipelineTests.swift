import ClipnetJSON
import Foundation
import PlatformEmulators
import TestSupport
import Testing

@testable import WorkerEngine

/// One real clip through the whole pipeline in process: RunPod and Cloudinary emulators, real
/// ffmpeg, real Redis and PostgreSQL.
@Suite struct ClipPipelineTests {
    @Test func aClipGoesThroughEveryStageAndIsPostedWithWhatItProduced() async throws {
        try await PipelineHarness.with { harness in
            let source = try await harness.seedSource("c1")
            try await harness.fixture.queue.enqueue(harness.processJob("c1"))
            let posted = try await harness.runWorker { try await harness.posted(1) }
            #expect(posted)

            let folder = harness.folder
            let media = JSONValue.string("\(folder)raw/c1.mp4")
            let clip = try #require(try await harness.results.store.clip("c1"))
            #expect(clip.caption == RunPodEmulator.output(for: ["task": "caption", "model": "blip", "media": media])["caption"]?.stringValue)
            #expect(clip.captionModel == "blip")
            let motion = RunPodEmulator.output(for: ["task": "motion", "media": media])["motion"]
            #expect(clip.motion.flatMap { JSONValue.parse(Array($0.utf8)) } == motion)
            #expect(
                clip.transcript
                    == RunPodEmulator.output(for: ["task": "transcribe", "clipIds": ["c1"], "media": [media]])["transcripts"]?["c1"]?.stringValue)
            #expect(clip.score == RunPodEmulator.output(for: ["task": "score", "clipId": "c1", "media": media])["score"]?.numberValue)
            #expect(clip.polishedMediaId == "\(folder)polished/c1")

            // The polished clip is real ffmpeg output, in the environment's folder in Cloudinary.
            let polished = try #require(harness.cloudinary.asset("\(folder)polished/c1"))
            #expect(TestClip.isMP4(polished.bytes))
            #expect(polished.bytes != source)
            #expect(clip.polishedBytes == Int64(polished.bytes.count))
            #expect(harness.cloudinary.downloads == ["\(folder)raw/c1"])

            let stages = try await harness.results.store.stages("c1")
            #expect(stages.map(\.stage).sorted() == PipelineStage.allCases.map(\.rawValue).sorted())
            #expect(stages.allSatisfy { $0.status == "done" && $0.attempts == 1 })

            let post = try #require(harness.posts.first)
            #expect(post["clipId"]?.stringValue == "c1")
            #expect(post["media"]?.stringValue == clip.polishedMediaId)
            #expect(post["caption"]?.stringValue == clip.caption)
            #expect(post["captionModel"]?.stringValue == "blip")
            #expect(post["transcript"]?.stringValue == clip.transcript)
            #expect(post["score"]?.numberValue == clip.score)
            #expect(post["motion"] == motion)

            #expect(harness.runpod.submittedInputs.allSatisfy { $0["namespace"] == "\(harness.fixture.environment)-ns" })
            #expect(harness.metrics.gpuWaitCount(namespace: "\(harness.fixture.environment)-ns") == harness.runpod.submittedInputs.count)
        }
    }

    @Test func aRerunOfEveryStageChangesNothing() async throws {
        try await PipelineHarness.with { harness in
            try await harness.seedSource("c2")
            try await harness.fixture.queue.enqueue(harness.processJob("c2"))
            let posted = try await harness.runWorker { try await harness.posted(1) }
            #expect(posted)
            let rows = try await harness.results.snapshot(withTimestamps: true)
            let submissions = harness.runpod.submittedInputs.count
            let uploads = harness.cloudinary.uploads

            // At-least-once delivery: every stage again, under new ids and without idempotency keys.
            let folder = harness.folder
            let again: [JobEnvelope] = [
                harness.processJob("c2").withId("again-process"),
                JobEnvelope(
                    id: "again-polish", type: "ffmpeg:polish",
                    payload: .object([
                        "clipId": "c2", "input": .string("\(folder)raw/c2.mp4"), "output": .string("\(folder)polished/c2.mp4"),
                    ])),
                JobEnvelope(
                    id: "again-whisper", type: "whisper:batch",
                    payload: .object([
                        "clipIds": ["c2"], "media": [.string("\(folder)raw/c2.mp4")],
                    ])),
                JobEnvelope(id: "again-score", type: "ml:score", payload: .object(["clipId": "c2", "media": .string("\(folder)raw/c2.mp4")])),
                JobEnvelope(id: "again-post", type: "clipbot:post", payload: .object(["clipId": "c2"])),
            ]
            try await harness.fixture.queue.enqueue(contentsOf: again)
            let drained = try await harness.runWorker { try await harness.drained() }
            #expect(drained)
            #expect(try await harness.results.snapshot(withTimestamps: true) == rows)
            #expect(harness.runpod.submittedInputs.count == submissions)
            #expect(harness.cloudinary.uploads == uploads)
            #expect(harness.posts.count == 1)
            #expect(try await harness.fixture.queue.depth().dead == 0)
        }
    }

    @Test func aStagingWorkerCannotReachProdClipsWhateverThePayloadSays() async throws {
        try await PipelineHarness.with { harness in
            let folder = harness.folder
            harness.cloudinary.seed(publicId: "prod_clips/raw/secret", bytes: Array("production media".utf8))
            let before = harness.cloudinary.asset("prod_clips/raw/secret")
            try await harness.seedSource("ok")
            let hostile: [(String, JSONValue)] = [
                ("ffmpeg:polish", ["clipId": "p1", "input": "prod_clips/raw/secret.mp4", "output": .string("\(folder)polished/p1.mp4")]),
                ("ffmpeg:polish", ["clipId": "p2", "input": .string("\(folder)raw/ok.mp4"), "output": "prod_clips/raw/secret.mp4"]),
                ("ffmpeg:polish", ["clipId": "p3", "input": .string("\(folder)../prod_clips/raw/secret.mp4"), "output": .string("\(folder)p3.mp4")]),
                (
                    "ffmpeg:polish",
                    ["clipId": "p4", "input": .string("\(folder)%2e%2e/prod_clips/raw/secret.mp4"), "output": .string("\(folder)p4.mp4")]
                ),
                (
                    "ffmpeg:polish",
                    [
                        "clipId": "p5", "input": .string("\(folder)raw/ok.mp4"), "output": .string("\(folder)x/../../prod_clips/raw/secret.mp4"),
                        "public_id": "prod_clips/raw/secret", "asset_folder": "prod_clips/raw",
                    ]
                ),
                ("clip:process", ["clipId": "p6", "source": "prod_clips/raw/secret.mp4"]),
                ("clip:process", ["clipId": "../../../prod_clips/raw/secret", "source": .string("\(folder)raw/ok.mp4")]),
                ("clip:process", ["clipId": "p8", "source": .string("\(folder)raw/ok.mp4"), "output": "prod_clips/raw/secret.mp4"]),
                ("whisper:batch", ["clipIds": ["p9"], "media": ["prod_clips/raw/secret.mp4"]]),
                ("ml:score", ["clipId": "p10", "media": .string("/\(folder)../prod_clips/raw/secret.mp4")]),
                ("clipbot:post", ["clipId": "p11", "media": "prod_clips/raw/secret.mp4"]),
            ]
            try await harness.fixture.queue.enqueue(
                contentsOf: hostile.enumerated().map { index, job in
                    JobEnvelope(id: "hostile-\(index)", type: job.0, payload: job.1, maxAttempts: 1)
                })
            let settled = try await harness.runWorker {
                guard try await harness.drained() else { return false }
                return try await harness.fixture.queue.depth().dead == hostile.count
            }
            #expect(settled)
            let letters = try await harness.fixture.queue.deadLetters(limit: 100)
            #expect(letters.allSatisfy { $0.reason == .invalidPayload }, "\(letters.map { "\($0.id ?? "?"): \($0.error)" })")
            // No request to Cloudinary (path, query or body) named the production folder.
            for entry in harness.cloudinary.log.all {
                let text =
                    entry.path + " " + entry.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&") + " "
                    + String(decoding: entry.body, as: UTF8.self)
                #expect(!text.contains("prod_clips"), "request \(entry.method) \(entry.path) names prod_clips")
            }
            #expect(!harness.cloudinary.downloads.contains { $0.hasPrefix("prod_clips") })
            #expect(harness.cloudinary.asset("prod_clips/raw/secret") == before)
            #expect(harness.runpod.submittedInputs.allSatisfy { !$0.values.contains { $0.contains("prod_clips") } })
        }
    }
}

extension JobEnvelope {
    func withId(_ id: String) -> JobEnvelope {
        var copy = self
        copy.id = id
        return copy
    }
}
