public import ClipnetJSON
import Foundation
import Synchronization

/// A loopback Slack Web API for the two methods the reconciler's notifications call:
/// `POST /api/chat.postMessage` and `POST /api/chat.update`, JSON bodies, the bot token as
/// `Authorization: Bearer xoxb-…`.
///
/// Like Slack, errors are HTTP 200 with `{"ok": false, "error": "…"}` (`not_authed`,
/// `invalid_auth`, `channel_not_found`, `no_text`, `msg_too_long`, `message_not_found`), and a
/// rate limit is HTTP 429 with `Retry-After` (the shared fault injector). `chat.postMessage`
/// takes a channel id or name and answers with the channel's id and the new message's `ts`;
/// `chat.update` wants the id and the `ts`. A `thread_ts` makes a reply in that message's thread.
public final class SlackEmulator: EmulatedPlatform {
    /// One message as the channel shows it now.
    public struct Message: Sendable, Equatable {
        public var channel: String
        public var ts: String
        public var text: String
        /// The parent's `ts` for a reply in a thread.
        public var threadTS: String?
        /// Earlier texts, oldest first (one per `chat.update`).
        public var edits: [String]
    }

    public struct Configuration: Sendable {
        public var token: String
        /// Channel id → name (without `#`).
        public var channels: [String: String]

        public init(token: String = "xoxb-test-slack-bot-token", channels: [String: String] = ["C0STAGING1": "staging-deploys"]) {
            self.token = token
            self.channels = channels
        }
    }

    /// Slack's limit on a message's text.
    static let textLimit = 40_000

    public let configuration: Configuration
    public let log = RequestLog()
    public let faults = FaultInjector()
    private let state = Mutex<(messages: [Message], clock: Int)>(([], 0))
    public var errorRenderer: any PlatformErrorRenderer { SlackErrorRenderer() }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self, log: log, faults: faults), name: "slack-emulator")
    }

    /// Every message, top-level and replies, in the order posted.
    public var messages: [Message] { state.withLock { $0.messages } }

    /// The replies in the thread of `ts`.
    public func replies(to ts: String) -> [Message] { messages.filter { $0.threadTS == ts } }

    public func operationName(for request: EmulatorRequest) -> String? { request.pathSegments.last }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard request.method == "POST" else { return .json(["ok": false, "error": "method_not_supported_for_channel_type"], status: 405) }
        guard let header = request.header("Authorization"), header.hasPrefix("Bearer ") else { return Self.error("not_authed") }
        guard String(header.dropFirst("Bearer ".count)) == configuration.token else { return Self.error("invalid_auth") }
        guard let body = request.json, body.objectValue != nil else { return Self.error("invalid_json") }
        switch request.pathSegments.last {
        case "chat.postMessage": return post(body)
        case "chat.update": return update(body)
        default: return Self.error("unknown_method", status: 404)
        }
    }

    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? { nil }

    private func post(_ body: JSONValue) -> EmulatorResponse {
        guard let channel = body["channel"]?.stringValue.flatMap(channelID) else { return Self.error("channel_not_found") }
        guard let text = body["text"]?.stringValue, !text.isEmpty else { return Self.error("no_text") }
        guard text.count <= Self.textLimit else { return Self.error("msg_too_long") }
        let thread = body["thread_ts"]?.stringValue
        let result = state.withLock { state -> Message? in
            if let thread, !state.messages.contains(where: { $0.ts == thread && $0.channel == channel && $0.threadTS == nil }) { return nil }
            state.clock += 1
            let message = Message(channel: channel, ts: String(format: "1796000000.%06d", state.clock), text: text, threadTS: thread, edits: [])
            state.messages.append(message)
            return message
        }
        guard let message = result else { return Self.error("thread_not_found") }
        return .json([
            "ok": true, "channel": .string(channel), "ts": .string(message.ts), "message": ["text": .string(text), "ts": .string(message.ts)],
        ])
    }

    private func update(_ body: JSONValue) -> EmulatorResponse {
        // chat.update takes the channel's id, not its name (what postMessage answered).
        guard let channel = body["channel"]?.stringValue, configuration.channels[channel] != nil else { return Self.error("channel_not_found") }
        guard let ts = body["ts"]?.stringValue else { return Self.error("message_not_found") }
        guard let text = body["text"]?.stringValue, !text.isEmpty else { return Self.error("no_text") }
        guard text.count <= Self.textLimit else { return Self.error("msg_too_long") }
        let found = state.withLock { state -> Bool in
            guard let index = state.messages.firstIndex(where: { $0.ts == ts && $0.channel == channel }) else { return false }
            state.messages[index].edits.append(state.messages[index].text)
            state.messages[index].text = text
            return true
        }
        guard found else { return Self.error("message_not_found") }
        return .json(["ok": true, "channel": .string(channel), "ts": .string(ts), "text": .string(text)])
    }

    private func channelID(_ given: String) -> String? {
        if configuration.channels[given] != nil { return given }
        let name = given.hasPrefix("#") ? String(given.dropFirst()) : given
        return configuration.channels.first { $0.value == name }?.key
    }

    static func error(_ code: String, status: Int = 200) -> EmulatorResponse {
        .json(["ok": false, "error": .string(code)], status: status)
    }
}

/// Slack's answers to the shared faults: 429 with `Retry-After` and `ratelimited`; a 5xx with
/// `fatal_error`.
struct SlackErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        .json(["ok": false, "error": "ratelimited"], status: 429, headers: ["Retry-After": retryAfter])
    }

    func serverError(status: Int) -> EmulatorResponse {
        .json(["ok": false, "error": "fatal_error"], status: status)
    }
}
