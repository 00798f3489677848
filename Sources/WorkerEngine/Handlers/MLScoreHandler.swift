public import ClipnetJSON

/// `ml:score`: scores one clip on the RunPod endpoint (model `score`) and keeps the score.
public struct MLScoreHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var media: String
        public var captions: JSONValue?
    }

    public static let jobType = "ml:score"
    public static let requiredSettings: [RequiredSetting] = [.database, .runpodEndpoint]
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        _ = try folder.confine(payload.media, field: "media")
    }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        let media = try context.folder.confine(payload.media, field: "media")
        let results = try context.requireResults()
        let runpod = try context.requireRunPod()
        try await results.ensureClip(payload.clipId, sourceMedia: media)
        try await StageRun(context: context, job: job).run(clipId: payload.clipId, stage: .score) {
            if try await results.clip(payload.clipId)?.score != nil { return }
            let output = try await context.onGPU(job) {
                try await runpod.run(
                    task: "score", model: "score",
                    input: ["clipId": .string(payload.clipId), "media": .string(media), "captions": payload.captions ?? .null])
            }
            guard let score = output["score"]?.numberValue ?? output.numberValue, score.isFinite else {
                throw JobFailure.transient("RunPod score output has no numeric 'score'")
            }
            try await results.saveScore(payload.clipId, score: score)
        }
    }
}
