public import ClipnetContracts
import Foundation
public import GitHubAPI
public import KnownGoodStore

/// Reports each rollout to GitHub as a deployment of its commit, so the pull request and the
/// commit show what runs on the environment: `POST /deployments` when the rollout's first event
/// is delivered (environment, `auto_merge: false`, `required_contexts: []`, the rollout id in
/// the payload), then a status per event: `queued` at the release gate, `in_progress` while it
/// deploys, `success` with `environment_url` (GitHub then marks the environment's earlier
/// deployments `inactive`), `failure`, or `inactive` for a superseded rollout.
///
/// A rollout a GitHub deployment request started is reported on that request's deployment, not
/// on a new one.
///
/// A notification channel like Slack's: delivered by the notifier, at least once, never holding
/// a rollout; the deployment id is kept with the rollout in the store (as a Slack message's
/// `ts` is), so a restart posts statuses to the same deployment.
public struct GitHubDeploymentsChannel: NotificationChannel {
    public let name: String
    let client: GitHubClient
    let environment: String
    let environmentURL: String?
    let statusURL: String?

    public init(name: String = "github", client: GitHubClient, environment: String, environmentURL: String?, statusURL: String?) {
        self.name = name
        self.client = client
        self.environment = environment
        self.environmentURL = environmentURL
        self.statusURL = statusURL
    }

    public var kind: String { "github-deployments" }
    public var target: String { client.repository }
    public var unusableReason: String? { client.hasToken ? nil : "the GitHub token is not set" }

    /// The deployment status an event means, and its description.
    static func status(for event: NotificationEvent) -> (state: String, description: String)? {
        guard let rollout = event.rollout else { return nil }
        let phase = RolloutPhase(rawValue: rollout.phase)
        switch event.type {
        case .rolloutSucceeded, .rolloutRepointed: return ("success", "known-good")
        case .driftHealed: return ("success", "re-pointed to known-good (drift healed)")
        case .rolloutFailed, .rolloutRolledBack: return ("failure", rollout.error.map { String($0.prefix(120)) } ?? "failed")
        case .rolloutSuperseded: return ("inactive", "superseded by a newer revision")
        default:
            guard let phase, phase.isActive else { return nil }
            return (phase == .checkGate ? "queued" : "in_progress", phase.words)
        }
    }

    public func deliver(_ event: NotificationEvent, message: RolloutMessage?) async throws -> RolloutMessage? {
        guard let rollout = event.rollout, let (state, description) = Self.status(for: event) else { return message }
        do {
            var current = message
            if current == nil, let requested = rollout.requestDeployment {
                // Someone asked for this build with a deployment of their own: report on it, so
                // the button they pressed shows the rollout going live.
                current = RolloutMessage(rolloutID: rollout.id, channel: client.repository, messageID: String(requested))
            } else if current == nil {
                let ref = rollout.revision ?? event.revision ?? ""
                let id = try await client.createDeployment(
                    ref: ref, environment: environment, rolloutID: rollout.id, description: "rollout \(rollout.id)")
                current = RolloutMessage(rolloutID: rollout.id, channel: client.repository, messageID: String(id))
            }
            guard let posted = current, let id = Int64(posted.messageID) else { return current }
            do {
                try await client.createDeploymentStatus(
                    deployment: id, state: state, environmentURL: state == "success" ? environmentURL : nil,
                    logURL: statusURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" }, description: description)
            } catch let error as GitHubError {
                throw NotificationDeliveryError(
                    error.message, permanent: error.status == 422, retryAfter: error.retryAfter, progress: current)
            }
            return posted
        } catch let error as GitHubError {
            throw NotificationDeliveryError(error.message, permanent: error.status == 422, retryAfter: error.retryAfter)
        }
    }
}
