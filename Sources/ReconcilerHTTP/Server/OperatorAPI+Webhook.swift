import ClipnetContracts
import ClipnetJSON
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Reconciler

/// `POST /webhooks/github`: GitHub tells the daemon about a push so it fetches at once instead of
/// at the next poll. Order matters: size limit, then signature over the raw bytes, and only then
/// is the body parsed.
extension OperatorAPI {
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!
    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")!

    func githubWebhook(_ request: inout Request) async throws -> Response {
        guard let secret = configuration.effectiveWebhookSecret else {
            throw APIError(.forbidden, "webhook_secret_not_configured", "GitHub webhooks are disabled: the daemon has no webhook secret configured")
        }
        let buffer = try await RequestBody.collect(&request, limit: configuration.maximumBodySize)
        let body = Array(buffer.readableBytesView)
        switch WebhookSignature.verify(header: request.headers[Self.signatureHeader], body: body, secret: secret) {
        case .missing:
            throw APIError(.unauthorized, "missing_signature", "missing X-Hub-Signature-256 (set a secret on the GitHub webhook)")
        case .invalid:
            logger.warning(
                "Refused a GitHub webhook with an invalid signature",
                metadata: ["github.delivery": "\(Actor.clean(request.headers[Self.deliveryHeader]) ?? "-")"])
            throw APIError(.unauthorized, "invalid_signature", "X-Hub-Signature-256 does not match the body and the configured secret")
        case .valid:
            break
        }
        guard let event = Actor.clean(request.headers[Self.eventHeader]) else {
            throw APIError.invalidRequest("missing X-GitHub-Event")
        }
        let delivery = Actor.clean(request.headers[Self.deliveryHeader]) ?? "-"
        switch event {
        case "ping":
            logger.info("GitHub webhook ping", metadata: ["github.delivery": "\(delivery)"])
            return try JSONBody.response(WebhookAnswer(event: event, accepted: true, message: "pong"))
        case "push":
            let push = try JSONBody.decode(GitHubPush.self, from: ByteBuffer(bytes: Self.payload(body, contentType: request.headers[.contentType])))
            let ref = try push.ref.required("ref")
            let after = push.deleted == true ? nil : push.after.nonBlank
            let watched = control.push(ref: ref, after: after)
            logger.info(
                "GitHub push received",
                metadata: ["github.delivery": "\(delivery)", "git.ref": "\(ref)", "revision": "\(after ?? "-")", "git.watched": "\(watched)"])
            let message = watched ? "fetching \(control.branch) now" : "not the watched branch (\(control.branch)); ignored"
            return try JSONBody.response(
                WebhookAnswer(event: event, accepted: watched, ref: ref, watchedBranch: watched, message: message),
                status: watched ? .accepted : .ok)
        case "check_run", "check_suite", "status":
            // The release gate's checks: only the commit matters; the pass reads the checks
            // from the API (an event is a hint, never the result).
            let json = JSONValue.parse(Self.payload(body, contentType: request.headers[.contentType]))
            let sha = json?["sha"]?.stringValue ?? json?[event]?["head_sha"]?.stringValue
            guard let sha, sha.count == 40 else { throw APIError.invalidRequest("a \(event) event without the commit's sha") }
            let woke = control.checksChanged(sha: sha)
            logger.debug(
                "GitHub checks changed",
                metadata: ["github.delivery": "\(delivery)", "github.event": "\(event)", "revision": "\(sha)", "gate.woke": "\(woke)"])
            let message = woke ? "the release gate looks again now" : "no rollout waits for this commit's checks"
            return try JSONBody.response(WebhookAnswer(event: event, accepted: woke, message: message), status: .accepted)
        case "deployment":
            return try await deploymentRequest(Self.payload(body, contentType: request.headers[.contentType]), delivery: delivery)
        default:
            return try JSONBody.response(
                WebhookAnswer(
                    event: event, accepted: false, message: "event '\(event)' is ignored; only push, ping, deployment and the check events are used"),
                status: .accepted)
        }
    }

    /// A `deployment` event: a deployment created on GitHub for this environment by someone
    /// other than the daemon marks its commit (the "deploy this build" of the branching
    /// strategy). The daemon's own deployments carry the rollout in their payload and are
    /// ignored, as are other environments' and other actions.
    private func deploymentRequest(_ payload: [UInt8], delivery: String) async throws -> Response {
        let event = "deployment"
        guard let json = JSONValue.parse(payload), let deployment = json["deployment"] else {
            throw APIError.invalidRequest("a deployment event without its deployment")
        }
        guard let number = deployment["id"]?.numberValue, number >= 1, number < 9e15, number == number.rounded(),
            let sha = deployment["sha"]?.stringValue, sha.count == 40
        else { throw APIError.invalidRequest("a deployment event without the deployment's id and commit sha") }
        let id = Int64(number)
        func ignored(_ message: String) throws -> Response {
            logger.debug(
                "GitHub deployment ignored", metadata: ["github.delivery": "\(delivery)", "github.deployment": "\(id)", "reason": "\(message)"])
            return try JSONBody.response(WebhookAnswer(event: event, accepted: false, message: message), status: .accepted)
        }
        if let action = json["action"]?.stringValue, action != "created" { return try ignored("only a created deployment marks a build") }
        let environment = deployment["environment"]?.stringValue ?? ""
        guard environment.lowercased() == control.environment.lowercased() else {
            return try ignored("a deployment for environment '\(Actor.clean(environment) ?? "?")'; this daemon runs \(control.environment)")
        }
        if deployment["payload"]?["rolloutID"] != nil { return try ignored("the daemon's own deployment of a rollout") }
        // GitHub creates a deployment (task `deploy`) for every Actions job that names the
        // environment: only the task the daemon was told to take is a request.
        let task = deployment["task"]?.stringValue ?? "deploy"
        guard let wanted = control.deploymentRequestTask else {
            return try ignored("deployment requests are off on \(control.environment) (github.requestTask is not set)")
        }
        guard task == wanted else {
            return try ignored("task '\(Actor.clean(task) ?? "?")' is not the request task '\(wanted)'")
        }
        let login = Actor.clean(deployment["creator"]?["login"]?.stringValue ?? json["sender"]?["login"]?.stringValue) ?? "someone"
        let request = try await control.requestDeployment(
            revision: sha.lowercased(), deployment: id, by: "github:\(login)", ref: Actor.clean(deployment["ref"]?.stringValue))
        logger.notice(
            "GitHub deployment request marks a build",
            metadata: [
                "github.delivery": "\(delivery)", "github.deployment": "\(id)", "revision": "\(request.revision)", "operator.actor": "\(request.by)",
            ])
        return try JSONBody.response(
            WebhookAnswer(
                event: event, accepted: true, ref: request.ref,
                message: "\(CommitID.short(request.revision)) is marked for \(control.environment) (\(request.words))"),
            status: .accepted)
    }

    /// The JSON payload: the body itself, or its `payload` field when the webhook was set up with
    /// the `application/x-www-form-urlencoded` content type.
    static func payload(_ body: [UInt8], contentType: String?) -> [UInt8] {
        guard let contentType, contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return body }
        let text = String(decoding: body, as: UTF8.self)
        for pair in text.split(separator: "&") where pair.hasPrefix("payload=") {
            let encoded = pair.dropFirst("payload=".count).replacingOccurrences(of: "+", with: " ")
            return Array((encoded.removingPercentEncoding ?? "").utf8)
        }
        return []
    }
}
