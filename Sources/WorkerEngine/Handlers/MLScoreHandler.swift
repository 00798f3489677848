import ClipnetJSON
/// `ml:score`: scores one clip on the RunPod endpoint (model `score`).
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
        guard let runpod = context.runpod else { throw JobFailure.permanent("RUNPOD_ENDPOINT_URL is not configured") }
        let score = try await runpod.run(task: "score", model: "score",
                                         input: ["clipId": .string(payload.clipId), "media": .string(media), "captions": payload.captions ?? .null])
        job.logger.info("clip scored", metadata: ["clip.id": "\(payload.clipId)", "score": "\(score)"])
    }
}
