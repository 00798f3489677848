import ClipnetContracts
import HTTPTypes
import Hummingbird
import Logging
import Reconciler

/// `POST /webhooks/vercel` and `POST /webhooks/railway`: a platform says one of its deployments
/// changed, so the daemon looks at the rollout now instead of at the next poll
/// (`reconcile.rolloutPollInterval`). Polling stays: a lost or late event costs at most one poll.
///
/// The event is a hint, never the truth (`PlatformEvent`): the pass it wakes reads the
/// deployment from the platform's API. Vercel signs its webhooks (`x-vercel-signature`, checked
/// over the raw bytes before anything is parsed); Railway does not, so its webhook URL carries a
/// token (`?token=`) that is compared in constant time and never logged.
extension OperatorAPI {
    static let vercelSignatureHeader = HTTPField.Name("x-vercel-signature")!

    func vercelWebhook(_ request: inout Request) async throws -> Response {
        guard let secret = configuration.platformWebhookSecrets[.vercel] else {
            throw APIError(
                .forbidden, "webhook_secret_not_configured",
                "Vercel webhooks are disabled: the daemon has no Vercel webhook secret configured (vercel.webhookSecretEnv)")
        }
        let buffer = try await RequestBody.collect(&request, limit: configuration.maximumBodySize)
        let body = Array(buffer.readableBytesView)
        switch WebhookSignature.verifyVercel(header: request.headers[Self.vercelSignatureHeader], body: body, secret: secret) {
        case .missing:
            throw APIError(.unauthorized, "missing_signature", "missing x-vercel-signature (the webhook must be created with a secret)")
        case .invalid:
            logger.warning("Refused a Vercel webhook with an invalid signature")
            throw APIError(.unauthorized, "invalid_signature", "x-vercel-signature does not match the body and the configured secret")
        case .valid:
            break
        }
        let event = try JSONBody.decode(VercelWebhookEvent.self, from: buffer)
        let type = try event.type.required("type")
        return try answer(PlatformEvent(platform: .vercel, type: type, deploymentID: event.payload?.deployment?.id.nonBlank))
    }

    func railwayWebhook(_ request: inout Request) async throws -> Response {
        guard let token = configuration.platformWebhookSecrets[.railway] else {
            throw APIError(
                .forbidden, "webhook_secret_not_configured",
                "Railway webhooks are disabled: the daemon has no Railway webhook token configured (railway.webhookTokenEnv)")
        }
        guard let presented = request.uri.queryParameters["token"].map(String.init), !presented.isEmpty else {
            throw APIError(.unauthorized, "missing_token", "missing ?token= (Railway does not sign webhooks; the URL carries the daemon's token)")
        }
        guard WebhookSignature.sameToken(presented, token) else {
            logger.warning("Refused a Railway webhook with a wrong token")
            throw APIError(.unauthorized, "invalid_token", "the webhook URL's token is not the configured one")
        }
        let buffer = try await RequestBody.collect(&request, limit: configuration.maximumBodySize)
        let event = try JSONBody.decode(RailwayWebhookEvent.self, from: buffer)
        let type = try event.type.required("type")
        let deployment = event.resource?.deployment?.id.nonBlank ?? event.details?.id.nonBlank
        return try answer(PlatformEvent(platform: .railway, type: type, deploymentID: deployment))
    }

    /// 202 with whether a pass was asked for; events that are not about deployments are ignored.
    private func answer(_ event: PlatformEvent) throws -> Response {
        guard event.type.lowercased().hasPrefix("deployment") else {
            return try JSONBody.response(
                WebhookAnswer(event: event.type, accepted: false, message: "only deployment events are used; ignored"), status: .accepted)
        }
        let woke = control.platformEvent(event)
        let message =
            woke
            ? "looking at the rollout in flight now"
            : "not a deployment of a rollout in flight; ignored (\(event.deploymentID ?? "no deployment id"))"
        return try JSONBody.response(WebhookAnswer(event: event.type, accepted: woke, message: message), status: .accepted)
    }
}

/// What `POST /webhooks/vercel` reads: `{type, payload: {deployment: {id}}}`.
struct VercelWebhookEvent: Decodable, Sendable {
    struct Payload: Decodable, Sendable {
        struct Deployment: Decodable, Sendable { var id: String? }
        var deployment: Deployment?
    }
    var type: String?
    var payload: Payload?
}

/// What `POST /webhooks/railway` reads: `{type, details: {id}, resource: {deployment: {id}}}`.
/// Which of the two ids Railway fills for every event type is UNCONFIRMED; either is used.
struct RailwayWebhookEvent: Decodable, Sendable {
    struct Identified: Decodable, Sendable { var id: String? }
    struct Resource: Decodable, Sendable { var deployment: Identified? }
    var type: String?
    var details: Identified?
    var resource: Resource?
}
