import Foundation
import HTTPTransport
import ClipnetJSON

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
            response = try await http.send(request)
        } catch {
            throw JobFailure.transient("\(variable): \(error)")
        }
        guard response.isSuccess else {
            let text = "\(variable) answered \(response.status)"
            throw (400..<500).contains(response.status) && response.status != 429 ? JobFailure.permanent(text) : JobFailure.transient(text)
        }
    }
}

/// `clipbot:post`: publishes a clip through Clipbot.
public struct ClipbotPostHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var media: String
        public var caption: String?
        public var channel: String?
    }

    public let jobType = "clipbot:post"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        let media = try context.folder.confine(payload.media, field: "media")
        try await ClipbotCall(context: context).post(to: context.clipbotPostURL, variable: "CLIPBOT_POST_URL", body: .object([
            "jobId": .string(job.id), "clipId": .string(payload.clipId), "media": .string(media),
            "caption": payload.caption.map { .string($0) } ?? .null, "channel": payload.channel.map { .string($0) } ?? .null,
            "environment": .string(context.settings.environment),
        ]))
    }
}

/// `clipbot:notify`: sends a notification through Clipbot.
public struct ClipbotNotifyHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var message: String
        public var clipId: String?
        public var channel: String?
    }

    public let jobType = "clipbot:notify"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        guard !payload.message.isEmpty else { throw JobFailure.invalidPayload("clipbot:notify payload: empty message") }
        try await ClipbotCall(context: context).post(to: context.clipbotNotifyURL, variable: "CLIPBOT_NOTIFY_URL", body: .object([
            "jobId": .string(job.id), "message": .string(payload.message), "clipId": payload.clipId.map { .string($0) } ?? .null,
            "channel": payload.channel.map { .string($0) } ?? .null, "environment": .string(context.settings.environment),
        ]))
    }
}
