import AsyncPrimitives
import ClipnetContracts
import Deployers
import KnownGoodStore

/// After a re-point or a rollback: the services must report the record's revision (the API's
/// version endpoint, the heartbeats of the deployments the worker was moved to, the alias on the
/// recorded frontend deployment) before the rollout is called done. "Rolled back" is verified
/// like a rollout; past the verification timeout it fails and says what was seen.
struct VerifyTargetPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let rollingBack = rollout.phase == .verifyRollback
        guard
            let target = rollingBack
                ? rollout.rollbackTarget : KnownGoodRecord(revision: rollout.revision, at: rollout.startedAt, deployments: rollout.deployments)
        else {
            return .event(.failed(reason: "there is no known-good record to verify"))
        }
        let moved = rollout.repointDeployments ?? ServiceDeployments()
        let workers = Set([target.deployments.worker, moved.worker].compactMap { $0 })
        let frontend = moved.frontend ?? target.deployments.frontend
        let look: ServiceLook
        do {
            look = try await ServiceLook.take(revision: target.revision, workerDeployments: workers, frontendDeployment: frontend, environment)
        } catch {
            return try environment.classify(
                error, during: "verifying \(CommitID.short(target.revision))",
                failure: rollingBack ? { .rollbackFailed(reason: $0) } : { .failed(reason: $0) })
        }
        // A service with no recorded deployment was left as it is: it is not judged.
        let verified =
            (target.deployments.api == nil || look.apiVerified)
            && (target.deployments.worker == nil || look.workerVerified)
            && (target.deployments.frontend == nil || look.aliasVerified != false)
        let check = VerificationCheck(
            verified: verified, detail: look.detail, timeoutSeconds: environment.settings.verifyTimeout.seconds,
            maxGapSeconds: environment.maxGapSeconds(checkInterval: environment.settings.rolloutPollInterval))
        if verified { environment.note("verify", nil, look.detail) }
        return .wait(
            environment.settings.rolloutPollInterval, "waiting for \(CommitID.short(target.revision)) to be reported: \(look.detail)",
            event: .verificationChecked(check))
    }
}
