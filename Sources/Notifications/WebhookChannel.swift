public import ClipnetContracts
import ClipnetFormats
import Crypto
public import Foundation
public import HTTPTransport
public import KnownGoodStore

/// A signed JSON webhook: every event is POSTed as `NotificationEvent` JSON with
///
/// - `X-Clipnet-Event`: the event's type (`rollout.failed`),
/// - `X-Clipnet-Delivery`: its id, the same on every redelivery (receivers drop repeats),
/// - `X-Clipnet-Timestamp`: seconds since 1970 when this attempt was signed,
/// - `X-Clipnet-Signature-256`: `sha256=` and the hex HMAC-SHA256, keyed by the shared secret, of
///   the timestamp, a `.`, and the body: a receiver recomputes it over the raw body and refuses
///   a stale timestamp, so a recorded request cannot be replayed later.
///
/// A 2xx answer is delivery; 408, 429 and 5xx are retried (honouring `Retry-After`); any other
/// answer refuses this event.
public struct WebhookChannel: NotificationChannel {
    public let name: String
    let url: String
    let secret: String?
    let secretEnv: String
    let client: HTTPClient
    let timeout: Duration
    let clock: @Sendable () -> Date

    public init(
        name: String, url: String, secret: String?, secretEnv: String, client: HTTPClient, timeout: Duration = .seconds(15),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.name = name
        self.url = url
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.secretEnv = secretEnv
        self.client = client
        self.timeout = timeout
        self.clock = clock
    }

    public var kind: String { "webhook" }
    /// The host only: a webhook URL's path often is its secret.
    public var target: String {
        guard let parts = URLComponents(string: url), let host = parts.host else { return "webhook" }
        return parts.port.map { "\(host):\($0)" } ?? host
    }
    /// An unsigned webhook would let anyone who learns the URL forge events: refused.
    public var unusableReason: String? { secret == nil ? "\(secretEnv) is not set (events are never sent unsigned)" : nil }

    public func deliver(_ event: NotificationEvent, message: RolloutMessage?) async throws -> RolloutMessage? {
        guard let secret else { throw NotificationDeliveryError("\(secretEnv) is not set") }
        let body = try [UInt8](ContractJSON.encoder().encode(event))
        let timestamp = String(Int64(clock().timeIntervalSince1970))
        let request = HTTPRequest(
            method: .post, url: url,
            headers: [
                "Content-Type": "application/json", "X-Clipnet-Event": event.type.rawValue, "X-Clipnet-Delivery": event.id,
                "X-Clipnet-Timestamp": timestamp, "X-Clipnet-Signature-256": Self.signature(body: body, timestamp: timestamp, secret: secret),
            ],
            body: body, timeout: timeout, connectTimeout: min(timeout, .seconds(10)))
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            throw NotificationDeliveryError("webhook \(target): \(error)")
        }
        switch response.status {
        case 200..<300: return nil
        case 408, 429, 500...:
            throw NotificationDeliveryError("webhook \(target): HTTP \(response.status)", retryAfter: response.retryAfter())
        default:
            throw NotificationDeliveryError("webhook \(target): HTTP \(response.status) refused the event", permanent: true)
        }
    }

    /// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
    public static func signature(body: [UInt8], timestamp: String, secret: String) -> String {
        var signed = Array(timestamp.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.lowercase(mac)
    }
}
