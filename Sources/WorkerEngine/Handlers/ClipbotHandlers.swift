import ClipnetConfig
import ClipnetJSON
import Foundation
import HTTPTransport

/// Posts to a configured Clipbot endpoint with the environment's OAuth client credentials
/// (HTTP Basic client authentication, RFC 6749 2.3.1). Credentials never reach logs or errors.
struct ClipbotCall: Sendable {
    let context: HandlerContext

    func post(to url: String?, variable: String, body: JSONValue) async throws {
        guard let url else { throw JobFailure.permanent("\(variable) is not configured") }
        guard let http = context.http else { throw JobFailure.permanent("no HTTP client") }
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let id = context.settings.oauthClientId?.reveal(), let secret = context.settings.oauthClientSecret?.reveal() {
            headers.set("Authorization", "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
        }
        let request = HTTPRequest(method: .post, url: url, headers: headers, body: Array(try JSONEncoder().encode(body)))
        let response: HTTPResponse
        do {
            response = try await context.timer.time("clipbot") { try await http.send(request) }
        } catch {
            throw JobFailure.transient("\(variable): \(error)")
        }
        guard response.isSuccess else {
            let text = "\(variable) answered \(response.status)"
            throw (400..<500).contains(response.status) && response.status != 429 ? JobFailure.permanent(text) : JobFailure.transient(text)
        }
    }
}

/// `clipbot:post`: publishes a clip through Clipbot, only once its pipeline has finished, with
/// what the pipeline produced (the polished media, caption and its model, transcript, score,
/// motion) as kept in PostgreSQL. A clip whose pipeline has not finished is dead-lettered
/// (`permanent`, naming the missing stages); re-drive it once they are done.
public struct ClipbotPostHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var channel: String?
        /// Accepted from older producers and checked against the folder; the media posted is the
        /// polished one the pipeline produced.
        public var media: String?
    }

    public static let jobType = "clipbot:post"
    /// `CLIPBOT_POST_URL` is not required at start (the manifests do not set it yet): without it
    /// the worker warns at start and the post fails permanently naming the variable.
    public static let requiredSettings: [RequiredSetting] = [.database]
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        guard !payload.clipId.isEmpty else { throw JobFailure.invalidPayload("clipbot:post payload: empty clipId") }
        if let media = payload.media { _ = try folder.confine(media, field: "media") }
    }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        let results = try context.requireResults()
        guard let clip = try await results.clip(payload.clipId) else {
            throw JobFailure.permanent("clip \(payload.clipId) has no pipeline results: only finished clips are posted")
        }
        let unfinished = try await results.unfinishedStages(payload.clipId)
        guard unfinished.isEmpty else {
            throw JobFailure.permanent(
                "clip \(payload.clipId) has not finished its pipeline (waiting for \(unfinished.map(\.rawValue).joined(separator: ", "))): only finished clips are posted"
            )
        }
        guard let media = clip.polishedMediaId else { throw JobFailure.permanent("clip \(payload.clipId) has no polished media") }
        _ = try context.folder.confine(media, field: "polished media")
        // Two stages finishing together may both enqueue the post; the lock keeps their jobs from
        // posting at the same time, and the one that comes second finds the stage done.
        let lock = PostingLock(connection: job.queue.connection, key: job.queue.keys.prefix + "posting:" + payload.clipId)
        guard try await lock.acquire(token: job.id + ":" + String(job.attempt) + ":" + String(JobEnvelope.nowMilliseconds())) else {
            throw JobDeferral(
                reason: "clip \(payload.clipId) is being posted by another job", after: .milliseconds(500),
                waitingSince: JobEnvelope.nowMilliseconds())
        }
        do {
            try await post(job, payload: payload, clip: clip, media: media)
        } catch {
            await lock.release()
            throw error
        }
        await lock.release()
    }

    private func post(_ job: Job, payload: Payload, clip: ClipRecord, media: String) async throws {
        try await StageRun(context: context, job: job).run(clipId: payload.clipId, stage: .post) {
            try await ClipbotCall(context: context).post(
                to: context.clipbotPostURL, variable: "CLIPBOT_POST_URL",
                body: .object([
                    "jobId": .string(job.id), "clipId": .string(payload.clipId), "media": .string(media),
                    "mediaURL": clip.polishedURL.map { .string($0) } ?? .null,
                    "caption": clip.caption.map { .string($0) } ?? .null, "captionModel": clip.captionModel.map { .string($0) } ?? .null,
                    "transcript": clip.transcript.map { .string($0) } ?? .null, "score": clip.score.map { .number($0) } ?? .null,
                    "motion": clip.motion.flatMap { JSONValue.parse(Array($0.utf8)) } ?? .null,
                    "channel": payload.channel.map { .string($0) } ?? .null, "environment": .string(context.settings.environment),
                ]))
        }
    }
}

/// `clipbot:notify`: sends a notification through Clipbot.
public struct ClipbotNotifyHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var message: String
        public var clipId: String?
        public var channel: String?
    }

    public static let jobType = "clipbot:notify"
    public static let requiredSettings: [RequiredSetting] = []
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        guard !payload.message.isEmpty else { throw JobFailure.invalidPayload("clipbot:notify payload: empty message") }
    }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        try await ClipbotCall(context: context).post(
            to: context.clipbotNotifyURL, variable: "CLIPBOT_NOTIFY_URL",
            body: .object([
                "jobId": .string(job.id), "message": .string(payload.message), "clipId": payload.clipId.map { .string($0) } ?? .null,
                "channel": payload.channel.map { .string($0) } ?? .null, "environment": .string(context.settings.environment),
            ]))
    }
}
