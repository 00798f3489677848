import AsyncPrimitives
import ClipnetContracts
import Deployers
import KnownGoodStore

/// The API's version endpoint and the new worker deployment's heartbeats both report R. With
/// `workerVersionSource: platform` the worker's deployment record stands in for its heartbeats.
/// The verification timeout counts observed time only (see `ObservedWindow`).
struct VerifyBackendPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let look: ServiceLook
        do {
            look = try await ServiceLook.take(
                revision: rollout.revision, workerDeployments: Set([rollout.deployments.worker].compactMap { $0 }),
                frontendDeployment: nil, environment)
        } catch {
            return try environment.classify(error, during: "reading the worker deployment")
        }
        if look.backendVerified { environment.note("verify", nil, look.detail) }
        let check = VerificationCheck(
            verified: look.backendVerified, detail: look.detail, timeoutSeconds: environment.settings.verifyTimeout.seconds,
            maxGapSeconds: environment.maxGapSeconds(checkInterval: environment.settings.rolloutPollInterval))
        return .wait(
            environment.settings.rolloutPollInterval, "waiting for \(CommitID.short(rollout.revision)) to be reported: \(look.detail)",
            event: .verificationChecked(check))
    }
}
