import Deployers
import Foundation

/// Rollout step 4: the API's version endpoint and the worker heartbeat both report R. With
/// `workerVersionSource: platform` the worker's deployment record stands in for its heartbeat.
struct VerifyBackendStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "verifyBackend" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .verifyBackend,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let manifest = preflight.resolved.manifest
        let progress = RolloutProgress(dependencies: dependencies)
        let revision = rollout.revision

        let api = await dependencies.probes.version(at: manifest.railway.services.api.versionUrl)
        let apiVerified = sameRevision(api.value, revision)
        let apiText = api.value.map { "the API reports \(short($0))" } ?? (api.failure ?? "the API reports nothing")

        let workerVerified: Bool
        let workerText: String
        switch dependencies.settings.workerVersionSource {
        case .heartbeat:
            let redisURL = preflight.workerRedisURL ?? ""
            switch await dependencies.probes.workers(redisURL: redisURL, environment: dependencies.environment) {
            case .reported(let fleet):
                workerVerified = fleet.workers.contains { sameRevision($0.version, revision) }
                workerText = fleet.workers.isEmpty
                    ? "no worker heartbeat"
                    : "worker heartbeats report " + fleet.versions.map { short($0.version) }.joined(separator: ", ")
            case .failed(let message):
                workerVerified = false
                workerText = message
            }
        case .platform:
            do {
                let deployment = try await platforms.railway.deployment(DeploymentID(rollout.deployments.worker ?? ""), of: .worker)
                workerVerified = sameRevision(deployment.commitSha ?? deployment.imageTag, revision)
                workerText = "the worker deployment records \(short(deployment.commitSha ?? deployment.imageTag ?? "nothing")) (platform record, no heartbeat check)"
            } catch {
                return try await progress.handle(error, &context, during: "reading the worker deployment")
            }
        }

        if apiVerified && workerVerified {
            context.note("verify", nil, "\(apiText); \(workerText)")
            try await progress.advance(&context, to: .deployFrontend)
            return .proceed
        }
        if rollout.timeInPhase > dependencies.settings.verifyTimeout {
            return try await progress.fail(
                &context, reason: "the new version was not confirmed within \(dependencies.settings.verifyTimeout): \(apiText); \(workerText)")
        }
        return .requeue(after: dependencies.settings.rolloutPollInterval, reason: "waiting for \(short(revision)) to be reported: \(apiText); \(workerText)")
    }
}
