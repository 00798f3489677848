public import ClipnetContracts
public import KnownGoodStore

/// A platform saying a deployment changed (a Vercel or Railway webhook), already authenticated.
///
/// Why only a hint: Railway's webhooks are unsigned and both platforms may deliver late, twice or
/// out of order, so the event's status is never acted on. It decides one thing: whether to run a
/// pass now instead of at the next poll, and the pass reads the truth from the platform's API.
public struct PlatformEvent: Sendable, Equatable {
    public var platform: Platform
    /// The event's type as sent (`deployment.ready`, `Deployment.failed`), for the log.
    public var type: String
    /// The deployment it is about, when the payload names one.
    public var deploymentID: String?

    public init(platform: Platform, type: String, deploymentID: String?) {
        self.platform = platform
        self.type = type
        self.deploymentID = deploymentID
    }

    /// Whether the event may concern `rollout`: its deployment is one the rollout created or
    /// re-pointed to, or the rollout is in a phase that starts deployments on that platform and
    /// has not recorded all of them yet (the record may lag the platform by one commit). Events
    /// about other deployments (production's, a preview's) wake nothing.
    public func concerns(_ rollout: RolloutRecord?) -> Bool {
        guard let rollout, rollout.isActive else { return false }
        let services = ServiceName.hosted(on: platform)
        let known = services.flatMap { [rollout.deployments[$0], rollout.repointDeployments?[$0]].compactMap { $0 } }
        guard let deploymentID else { return true }
        if known.contains(deploymentID) { return true }
        switch rollout.phase {
        case .deployBackend, .deployFrontend:
            return services.contains { rollout.deployments[$0] == nil }
        case .repointing, .rollingBack:
            return services.contains { rollout.repointDeployments?[$0] == nil }
        default:
            return false
        }
    }
}
