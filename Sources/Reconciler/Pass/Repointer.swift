import Deployers
import Foundation

/// Moves services back onto recorded deployments without building: used by re-point rollouts,
/// automatic rollbacks and drift healing.
///
/// A service already serving the recorded revision is left alone (a Railway rollback creates a
/// new deployment every time, so repeating one is not harmless), but its variables are still put
/// back, because a failed rollout may have synced the newer revision's variables onto it. What a
/// service serves is read again right here, not taken from the start of the pass: a build of a
/// failed rollout may have gone live since.
struct Repointer: Sendable {
    let dependencies: ReconcilerDependencies
    let platforms: Platforms

    /// - Returns: what was done, for history and logs.
    func repoint(_ service: ServiceName, to deployment: String, revision: String, variables: [DesiredVariable]) async throws -> String {
        let deployer = platforms.deployer(for: service)
        let target = DeploymentID(deployment)
        let live = try await deployer.observe(service)
        if servesAlready(service, live: live, deployment: deployment, revision: revision) {
            try await deployer.upsertVariables(variables, for: service)
            return "\(service) already serves \(short(revision)); variables re-applied"
        }
        let serving = try await deployer.repoint(service, to: target, reapplying: variables)
        if service != .frontend, serving != target {
            let finished = try await deployer.waitForTerminal(serving, of: service, policy: waitPolicy)
            guard finished.status.isSuccess else {
                throw DeployerError(
                    .platformError, "the \(service) rollback deployment \(serving) ended \(finished.rawStatus)", isRetryable: false,
                    platform: deployer.platform, operation: "repoint")
            }
        }
        dependencies.logger.info("Service re-pointed", metadata: [
            "service": "\(service)", "revision": "\(revision)", "deployment": "\(deployment)", "deployment.serving": "\(serving)",
        ])
        return "\(service) re-pointed to \(deployment)" + (serving == target ? "" : " (serving as \(serving))")
    }

    private func servesAlready(_ service: ServiceName, live: ObservedDeployment?, deployment: String, revision: String) -> Bool {
        guard let live else { return false }
        if service == .frontend { return live.id.rawValue == deployment }
        return live.id.rawValue == deployment || (live.status.isSuccess && sameRevision(live.commitSha ?? live.imageTag, revision))
    }

    /// A rollback deploys an existing image: bounded by the settings' verification timeout.
    private var waitPolicy: WaitPolicy {
        let poll = min(dependencies.settings.rolloutPollInterval, .seconds(1))
        return WaitPolicy(
            deadline: dependencies.settings.verifyTimeout,
            backoff: .init(initial: poll, maximum: max(poll, dependencies.settings.rolloutPollInterval), multiplier: 1.5, jitter: 0.1))
    }
}
