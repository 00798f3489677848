import ClipnetJSON

/// `whisper:batch`: transcribes a batch of clips on the RunPod endpoint (model `whisper`) and keeps
/// each clip's transcript. Clips whose transcript is already done are left out of the request.
public struct WhisperBatchHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var clipIds: [String]
        public var media: [String]
        public var language: String?
    }

    public static let jobType = "whisper:batch"
    public static let requiredSettings: [RequiredSetting] = [.database, .runpodEndpoint]
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        guard !payload.media.isEmpty, payload.media.count == payload.clipIds.count, !payload.clipIds.contains("") else {
            throw JobFailure.invalidPayload("whisper:batch payload: media and clipIds must be non-empty and of equal length")
        }
        for path in payload.media { _ = try folder.confine(path, field: "media") }
    }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        let media = try payload.media.map { try context.folder.confine($0, field: "media") }
        let results = try context.requireResults()
        let runpod = try context.requireRunPod()
        var pending: [(clipId: String, media: String)] = []
        for (clipId, path) in zip(payload.clipIds, media) {
            try await results.ensureClip(clipId, sourceMedia: path)
            if try await !results.isDone(clipId, .transcript) { pending.append((clipId, path)) }
        }
        guard !pending.isEmpty else { return }
        let input: [String: JSONValue] = [
            "clipIds": .array(pending.map { .string($0.clipId) }), "media": .array(pending.map { .string($0.media) }),
            "language": payload.language.map { .string($0) } ?? .null,
        ]
        var transcripts: JSONValue?
        for clip in pending {
            try await StageRun(context: context, job: job).run(clipId: clip.clipId, stage: .transcript) {
                if transcripts == nil {
                    let output = try await context.onGPU(job) { try await runpod.run(task: "transcribe", model: "whisper", input: input) }
                    transcripts = output["transcripts"] ?? output
                }
                guard let text = transcripts?[clip.clipId]?.stringValue else {
                    throw JobFailure.transient("RunPod transcribe output has no transcript for clip \(clip.clipId)")
                }
                try await results.saveTranscript(clip.clipId, transcript: text)
            }
        }
    }
}
