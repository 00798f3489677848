import ClipnetJSON
import Crypto
import Foundation
import Synchronization

/// Vercel's deployment webhooks (docs/platforms.md): `deployment.ready`, `deployment.error` and
/// `deployment.canceled` as `{id, type, createdAt, payload: {deployment: {id, url, name, meta},
/// project: {id}, target}}`, signed with `x-vercel-signature`: the lowercase hex HMAC-SHA1 of the
/// raw body, keyed with the webhook's secret.
extension VercelEmulator {
    /// Sends deployment events to `target` from now on (nil stops). Events are scheduled when a
    /// request creates or cancels a deployment, and sent at the moment the state changes.
    public func sendWebhooks(to target: WebhookTarget?) {
        webhooks.configure(target)
        if target == nil { webhooks.cancelAll() } else { scheduleWebhooks() }
    }

    /// Webhook calls made so far.
    public var webhooksSent: Int { webhooks.sentCount }

    /// The `x-vercel-signature` value for `body`.
    public static func webhookSignature(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Claims the events of every deployment that has reached, or will reach, a terminal state.
    func scheduleWebhooks() {
        guard webhooks.target != nil else { return }
        let events = state.withLock { state in
            state.deployments.compactMap { deployment -> (deployment: String, status: String, at: Date)? in
                if let canceled = deployment.canceledAt { return (deployment.id, "CANCELED", canceled) }
                return deployment.finished.map { (deployment.id, $0.status, $0.at) }
            }
        }
        webhooks.schedule(events) { [self] id, status, target in webhook(id, status: status, target: target) }
    }

    /// The delivery for `id` reaching `status`, if it has that status now.
    private func webhook(_ id: String, status: String, target: WebhookTarget) -> WebhookOutbox.Firing {
        let now = Date()
        let body: JSONValue?? = state.withLock { state in
            guard let deployment = state.deployments.first(where: { $0.id == id }) else { return .some(nil) }
            let current = deployment.readyState(at: now)
            guard current == status else { return ["QUEUED", "INITIALIZING", "BUILDING"].contains(current) ? nil : .some(nil) }
            let type = ["READY": "deployment.ready", "ERROR": "deployment.error", "CANCELED": "deployment.canceled"][status]!
            return [
                "id": .string(EmulatorIDs.prefixed("evt_")), "type": .string(type), "createdAt": .milliseconds(now),
                "payload": [
                    "deployment": [
                        "id": .string(deployment.id), "url": .string(deployment.url), "name": .string(deployment.name),
                        "meta": .object(deployment.meta.mapValues { .string($0) }),
                    ],
                    "project": ["id": .string(deployment.projectId)],
                    "target": deployment.target.map { .string($0) } ?? .null,
                    "url": .string(deployment.url),
                ],
            ]
        }
        guard let body else { return .notYet }
        guard let body else { return .drop }
        let bytes = Array(body.serialized)
        var headers = [("Content-Type", "application/json")]
        if let secret = target.secret { headers.append(("x-vercel-signature", Self.webhookSignature(bytes, secret: secret))) }
        return .send(WebhookDelivery(url: target.url, headers: headers, body: bytes))
    }
}
