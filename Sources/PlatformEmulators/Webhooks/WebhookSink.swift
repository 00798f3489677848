public import ClipnetJSON
import Crypto
import Foundation
import Synchronization

/// A receiver of the reconciler's signed notification webhooks on loopback: it checks
/// `X-Clipnet-Signature-256` (HMAC-SHA256 of the timestamp, `.`, and the raw body) the way a
/// real receiver must, answers 401 to a bad signature and 204 otherwise, and keeps what it got.
/// Server errors and 429s come from the shared fault injector.
public final class WebhookSink: EmulatedPlatform {
    public struct Received: Sendable {
        public var type: String?
        public var deliveryID: String?
        public var body: [UInt8]
        public var signatureValid: Bool

        /// The event as JSON.
        public var json: JSONValue? { JSONValue.parse(body) }
    }

    public let secret: String
    public let log = RequestLog()
    public let faults = FaultInjector()
    private let store = Mutex<[Received]>([])
    public var errorRenderer: any PlatformErrorRenderer { SinkErrorRenderer() }

    public init(secret: String) {
        self.secret = secret
    }

    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self, log: log, faults: faults), name: "webhook-sink")
    }

    /// The deliveries accepted (valid signature), in order of arrival.
    public var accepted: [Received] { store.withLock { $0.filter(\.signatureValid) } }
    /// Every delivery, refused ones included.
    public var received: [Received] { store.withLock { $0 } }

    public func operationName(for request: EmulatorRequest) -> String? { request.header("X-Clipnet-Event") }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard request.method == "POST" else { return EmulatorResponse(status: 405) }
        let valid = Self.valid(
            signature: request.header("X-Clipnet-Signature-256"), timestamp: request.header("X-Clipnet-Timestamp"), body: request.body,
            secret: secret)
        store.withLock {
            $0.append(
                Received(
                    type: request.header("X-Clipnet-Event"), deliveryID: request.header("X-Clipnet-Delivery"), body: request.body,
                    signatureValid: valid))
        }
        return valid ? EmulatorResponse(status: 204) : .json(["error": "bad signature"], status: 401)
    }

    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? { nil }

    static func valid(signature: String?, timestamp: String?, body: [UInt8], secret: String) -> Bool {
        guard let signature, signature.hasPrefix("sha256="), let timestamp else { return false }
        var signed = Array(timestamp.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(contentsOf: body)
        let expected = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
        let hex = expected.map { String(format: "%02x", $0) }.joined()
        return signature.dropFirst("sha256=".count) == hex
    }
}

struct SinkErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        .json(["error": "slow down"], status: 429, headers: ["Retry-After": retryAfter])
    }

    func serverError(status: Int) -> EmulatorResponse {
        .json(["error": "unavailable"], status: status)
    }
}
