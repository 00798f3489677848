import ClipnetJSON
/// `clip:process`: drives one clip through the pipeline. Asks RunPod for BLIP captions (falling
/// back to CLIP when BLIP fails) and motion detection, then enqueues the next stages on the same
/// queue (`ffmpeg:polish`, `whisper:batch`, `ml:score`), each with an idempotency key so that a
/// re-run of this job does not run them twice.
public struct ClipProcessHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        /// Media path of the source, inside the environment's folder.
        public var source: String
        /// Media path for the polished output (default `<folder>polished/<clipId>.mp4`).
        public var output: String?
    }

    public let jobType = "clip:process"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        guard !payload.clipId.isEmpty else { throw JobFailure.invalidPayload("clip:process payload: empty clipId") }
        let source = try context.folder.confine(payload.source, field: "source")
        let output = try context.folder.confine(payload.output ?? "\(context.folder.prefix)polished/\(payload.clipId).mp4", field: "output")
        guard let runpod = context.runpod else { throw JobFailure.permanent("RUNPOD_ENDPOINT_URL is not configured") }

        var captions: JSONValue
        do {
            captions = try await runpod.run(task: "caption", model: "blip", input: ["media": .string(source)])
        } catch {
            job.logger.warning("BLIP failed; falling back to CLIP", metadata: ["error": "\(error)"])
            captions = try await runpod.run(task: "caption", model: "clip", input: ["media": .string(source)])
        }
        let motion = try await runpod.run(task: "motion", model: "motion", input: ["media": .string(source)])

        let trace = job.envelope.traceId ?? job.id
        let stages: [(String, JSONValue)] = [
            ("ffmpeg:polish", .object(["clipId": .string(payload.clipId), "input": .string(source), "output": .string(output),
                                       "motion": motion])),
            ("whisper:batch", .object(["clipIds": .array([.string(payload.clipId)]), "media": .array([.string(source)])])),
            ("ml:score", .object(["clipId": .string(payload.clipId), "media": .string(source), "captions": captions])),
        ]
        for (type, stagePayload) in stages {
            try await job.queue.enqueue(JobEnvelope(
                id: "\(payload.clipId):\(type)", type: type, payload: stagePayload,
                idempotencyKey: "\(payload.clipId):\(type)", traceId: trace))
        }
    }
}
