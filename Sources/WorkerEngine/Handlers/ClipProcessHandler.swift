import ClipnetJSON
import Logging

/// `clip:process`: drives one clip through the pipeline. Asks RunPod for BLIP captions (falling
/// back to CLIP when BLIP fails) and motion detection, keeps both in PostgreSQL as soon as each
/// arrives (a re-run after a crash does not ask the GPU again), then enqueues the next stages
/// (`ffmpeg:polish`, `whisper:batch`, `ml:score`), each with an idempotency key.
public struct ClipProcessHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        /// Media path of the source in Cloudinary, inside the environment's folder.
        public var source: String
        /// Media path for the polished output (default `<folder>polished/<clipId>.mp4`).
        public var output: String?
    }

    public static let jobType = "clip:process"
    public static let requiredSettings: [RequiredSetting] = [.database, .runpodEndpoint]
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        let source = try context.folder.confine(payload.source, field: "source")
        let output = try context.folder.confine(payload.output ?? "\(context.folder.prefix)polished/\(payload.clipId).mp4", field: "output")
        let results = try context.requireResults()
        let runpod = try context.requireRunPod()
        try await results.ensureClip(payload.clipId, sourceMedia: source)

        try await StageRun(context: context, job: job).run(clipId: payload.clipId, stage: .process) {
            var record = try await results.clip(payload.clipId)
            if record?.caption == nil {
                let (caption, model) = try await context.onGPU(job) { try await Self.caption(runpod, source: source, job: job) }
                try await results.saveCaption(payload.clipId, caption: caption, model: model)
                record = try await results.clip(payload.clipId)
            }
            if record?.motion == nil {
                let motion = try await context.onGPU(job) {
                    try await runpod.run(task: "motion", model: "motion", input: ["media": .string(source)])
                }
                try await results.saveMotion(payload.clipId, motionJSON: String(decoding: (motion["motion"] ?? motion).serialized, as: UTF8.self))
                record = try await results.clip(payload.clipId)
            }
            let trace = job.envelope.traceId ?? job.id
            let stages: [(String, JSONValue)] = [
                ("ffmpeg:polish", .object(["clipId": .string(payload.clipId), "input": .string(source), "output": .string(output)])),
                ("whisper:batch", .object(["clipIds": .array([.string(payload.clipId)]), "media": .array([.string(source)])])),
                (
                    "ml:score",
                    .object([
                        "clipId": .string(payload.clipId), "media": .string(source),
                        "captions": record?.caption.map { .string($0) } ?? .null,
                    ])
                ),
            ]
            for (type, stagePayload) in stages {
                try await job.queue.enqueue(
                    JobEnvelope(
                        id: "\(payload.clipId):\(type)", type: type, payload: stagePayload,
                        idempotencyKey: "\(payload.clipId):\(type)", traceId: trace))
            }
        }
    }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        guard !payload.clipId.isEmpty else { throw JobFailure.invalidPayload("clip:process payload: empty clipId") }
        _ = try folder.confine(payload.source, field: "source")
        if let output = payload.output { _ = try folder.confine(output, field: "output") }
    }

    /// BLIP, or CLIP when BLIP fails; returns the caption and the model that produced it.
    static func caption(_ runpod: RunPodClient, source: String, job: Job) async throws -> (String, String) {
        do {
            let output = try await runpod.run(task: "caption", model: "blip", input: ["media": .string(source)])
            return (try RunPodOutput.text(output, "caption", task: "caption"), "blip")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            job.logger.warning("BLIP failed; falling back to CLIP", metadata: ["error": "\((error as? JobFailure)?.message ?? "\(error)")"])
            let output = try await runpod.run(task: "caption", model: "clip", input: ["media": .string(source)])
            return (try RunPodOutput.text(output, "caption", task: "caption"), "clip")
        }
    }
}
