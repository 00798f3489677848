import ClipnetJSON
import Foundation
import Synchronization

/// Railway's project webhooks (docs/platforms.md): `{type, timestamp, details: {id, status,
/// commitHash, …}, resource: {project, environment, service, deployment}}`, unsigned.
///
/// The type names for a deployment that succeeded or crashed are UNCONFIRMED (only
/// `Deployment.failed` is documented); this emulator sends `Deployment.deployed`,
/// `Deployment.failed` and `Deployment.crashed`. The reconciler reads none of them as truth: an
/// event only makes it look at the API sooner.
extension RailwayEmulator {
    /// Sends deployment events to `target` from now on (nil stops). The URL carries whatever
    /// shared token the receiver expects, as a Railway webhook URL would.
    public func sendWebhooks(to target: WebhookTarget?) {
        webhooks.configure(target)
        if target == nil { webhooks.cancelAll() } else { scheduleWebhooks() }
    }

    /// Webhook calls made so far.
    public var webhooksSent: Int { webhooks.sentCount }

    func scheduleWebhooks() {
        guard webhooks.target != nil else { return }
        let events = state.withLock { state in
            state.deployments.compactMap { deployment -> (deployment: String, status: String, at: Date)? in
                guard deployment.canceledAt == nil else { return nil }
                return deployment.finished.map { (deployment.id, $0.status, $0.at) }
            }
        }
        webhooks.schedule(events) { [self] id, status, target in webhook(id, status: status, target: target) }
    }

    /// The delivery for `id` reaching `status`, once its plan is there (unless it was cancelled).
    private func webhook(_ id: String, status: String, target: WebhookTarget) -> WebhookOutbox.Firing {
        let now = Date()
        let body: JSONValue?? = state.withLock { state in
            guard let deployment = state.deployments.first(where: { $0.id == id }), deployment.canceledAt == nil else { return .some(nil) }
            guard deployment.plan.status(after: deployment.createdAt.elapsed(until: now)) == status else { return nil }
            let type = ["SUCCESS": "Deployment.deployed", "FAILED": "Deployment.failed", "CRASHED": "Deployment.crashed"][status]!
            var details: [String: JSONValue] = ["id": .string(deployment.id), "status": .string(status)]
            if let commit = deployment.meta["commitHash"] { details["commitHash"] = commit }
            return [
                "type": .string(type), "timestamp": .string(ISO8601DateFormatter().string(from: now)), "details": .object(details),
                "resource": [
                    "project": ["id": .string(deployment.projectId)], "environment": ["id": .string(deployment.environmentId)],
                    "service": ["id": .string(deployment.serviceId)], "deployment": ["id": .string(deployment.id)],
                ],
            ]
        }
        guard let body else { return .notYet }
        guard let body else { return .drop }
        return .send(WebhookDelivery(url: target.url, headers: [("Content-Type", "application/json")], body: Array(body.serialized)))
    }
}
