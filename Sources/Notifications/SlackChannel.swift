import AsyncPrimitives
public import ClipnetContracts
import ClipnetJSON
import Foundation
public import HTTPTransport
public import KnownGoodStore

/// A Slack channel through the Web API with a bot token (`Authorization: Bearer xoxb-…`):
/// `chat.postMessage` creates a rollout's message, `chat.update` edits it as the rollout moves,
/// and a failed build's log lines go in a reply in its thread. Other events are messages of their own.
///
/// Slack answers errors as HTTP 200 with `{"ok": false, "error": "…"}` and rate limits as 429
/// with `Retry-After` (seconds).
public struct SlackChannel: NotificationChannel {
    public let name: String
    public let channel: String
    let apiURL: String
    let token: String?
    let tokenEnv: String
    let client: HTTPClient
    let timeout: Duration

    public init(name: String, channel: String, apiURL: String, token: String?, tokenEnv: String, client: HTTPClient, timeout: Duration = .seconds(15))
    {
        self.name = name
        self.channel = channel
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.tokenEnv = tokenEnv
        self.client = client
        self.timeout = timeout
    }

    public var kind: String { "slack" }
    public var target: String { channel }
    public var unusableReason: String? { token == nil ? "\(tokenEnv) is not set" : nil }

    /// Errors that name this event, not the set-up: sending the same event again cannot succeed.
    static let eventErrors: Set<String> = ["msg_too_long", "no_text", "invalid_arguments", "invalid_blocks", "too_many_attachments"]
    /// Answers of `chat.update` that mean the message is gone or frozen: post a new one.
    static let goneMessageErrors: Set<String> = ["message_not_found", "cant_update_message", "edit_window_closed"]

    public func deliver(_ event: NotificationEvent, message: RolloutMessage?) async throws -> RolloutMessage? {
        let text = SlackText.render(event)
        guard let rollout = event.rollout else {
            _ = try await call("chat.postMessage", ["channel": .string(channel), "text": .string(text), "unfurl_links": .bool(false)])
            return nil
        }
        var current = message
        if let existing = current {
            do {
                _ = try await call("chat.update", ["channel": .string(existing.channel), "ts": .string(existing.messageID), "text": .string(text)])
            } catch let error as SlackAPIError where Self.goneMessageErrors.contains(error.code) {
                current = nil
            }
        }
        if current == nil {
            let answer = try await call("chat.postMessage", ["channel": .string(channel), "text": .string(text), "unfurl_links": .bool(false)])
            guard let ts = answer["ts"]?.stringValue else {
                throw NotificationDeliveryError("Slack accepted chat.postMessage but answered no ts")
            }
            current = RolloutMessage(rolloutID: rollout.id, channel: answer["channel"]?.stringValue ?? channel, messageID: ts)
        }
        guard var posted = current else { return nil }
        if !event.failureLogs.isEmpty, !posted.logPosted {
            do {
                _ = try await call(
                    "chat.postMessage",
                    [
                        "channel": .string(posted.channel), "thread_ts": .string(posted.messageID), "text": .string(SlackText.logReply(event)),
                        "unfurl_links": .bool(false),
                    ])
            } catch var error as NotificationDeliveryError {
                error.progress = posted
                throw error
            }
            posted.logPosted = true
        }
        return posted
    }

    /// A Web API error answer (`ok: false`).
    struct SlackAPIError: Error {
        let code: String
    }

    /// One Web API call; the answer when `ok` is true.
    private func call(_ method: String, _ fields: [String: JSONValue]) async throws -> JSONValue {
        guard let token else { throw NotificationDeliveryError("\(tokenEnv) is not set") }
        let request = HTTPRequest(
            method: .post, url: "\(apiURL)/\(method)",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json; charset=utf-8"],
            body: JSONValue.object(fields).serialized, timeout: timeout, connectTimeout: min(timeout, .seconds(10)))
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            throw NotificationDeliveryError("Slack \(method): \(error)")
        }
        if response.status == 429 {
            throw NotificationDeliveryError("Slack \(method): rate limited (429)", retryAfter: response.retryAfter() ?? .seconds(30))
        }
        guard (200..<300).contains(response.status) else {
            throw NotificationDeliveryError("Slack \(method): HTTP \(response.status)", retryAfter: response.retryAfter())
        }
        guard let answer = JSONValue.parse(response.body), let ok = answer["ok"]?.boolValue else {
            throw NotificationDeliveryError("Slack \(method): the answer is not the Web API's JSON")
        }
        guard ok else {
            let code = answer["error"]?.stringValue ?? "unknown_error"
            if method == "chat.update", Self.goneMessageErrors.contains(code) { throw SlackAPIError(code: code) }
            if code == "ratelimited" {
                throw NotificationDeliveryError("Slack \(method): ratelimited", retryAfter: response.retryAfter() ?? .seconds(30))
            }
            throw NotificationDeliveryError("Slack \(method): \(code)", permanent: Self.eventErrors.contains(code))
        }
        return answer
    }
}
