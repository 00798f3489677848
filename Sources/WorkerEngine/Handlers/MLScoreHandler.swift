import ClipnetJSON

/// `ml:score`: scores one clip on the RunPod endpoint (model `score`) and keeps the score.
public struct MLScoreHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var media: String
        public var captions: JSONValue?
    }

    public let jobType = "ml:score"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        let media = try context.folder.confine(payload.media, field: "media")
        let results = try context.requireResults()
        let runpod = try context.requireRunPod()
        try await results.ensureClip(payload.clipId, sourceMedia: media)
        try await StageRun(context: context, job: job).run(clipId: payload.clipId, stage: .score) {
            if try await results.clip(payload.clipId)?.score != nil { return }
            let output = try await context.onGPU(job) {
                try await runpod.run(task: "score", model: "score",
                                     input: ["clipId": .string(payload.clipId), "media": .string(media), "captions": payload.captions ?? .null])
            }
            guard let score = output["score"]?.numberValue ?? output.numberValue, score.isFinite else {
                throw JobFailure.transient("RunPod score output has no numeric 'score'")
            }
            try await results.saveScore(payload.clipId, score: score)
        }
    }
}
