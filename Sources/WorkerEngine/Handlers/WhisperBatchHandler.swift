/// `whisper:batch`: transcribes a batch of clips on the RunPod endpoint (model `whisper`).
public struct WhisperBatchHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var clipIds: [String]
        public var media: [String]
        public var language: String?
    }

    public let jobType = "whisper:batch"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        guard !payload.media.isEmpty, payload.media.count == payload.clipIds.count else {
            throw JobFailure.invalidPayload("whisper:batch payload: media and clipIds must be non-empty and of equal length")
        }
        let media = try payload.media.map { try context.folder.confine($0, field: "media") }
        guard let runpod = context.runpod else { throw JobFailure.permanent("RUNPOD_ENDPOINT_URL is not configured") }
        _ = try await runpod.run(task: "transcribe", model: "whisper", input: [
            "clipIds": .array(payload.clipIds.map { .string($0) }), "media": .array(media.map { .string($0) }),
            "language": payload.language.map { .string($0) } ?? .null,
        ])
    }
}
