import ClipnetConfig
import ClipnetContracts
import Deployers
import KnownGoodStore

/// For the manifest's health window, the API's health URL answers 2xx and the three new
/// deployments stay up (a worker that crashes after deploying fails the gate too). The machine
/// judges the checks: the window must be watched from end to end, and `healthFailureThreshold`
/// failed checks in a row fail the rollout, one blip does not.
struct HealthGatePhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let rolloutSettings = environment.manifest.rollout
        var problems: [String] = []
        var crashed: [ObservedDeployment] = []
        if let failure = await environment.dependencies.probes.health(at: environment.manifest.railway.services.api.healthUrl).failure {
            problems.append(failure)
        }
        do {
            for service in ServiceName.allCases {
                guard let id = rollout.deployments[service] else { continue }
                let deployment = try await environment.platforms.deployer(for: service).deployment(DeploymentID(id), of: service)
                if !deployment.status.isSuccess { problems.append("the \(service) deployment \(id) is \(deployment.rawStatus)") }
                if deployment.status.isTerminal, !deployment.status.isSuccess { crashed.append(deployment) }
            }
        } catch {
            return try environment.classify(error, during: "checking the new deployments")
        }
        // A deployment that ended during the window (a worker that crashed after starting): its
        // runtime log's last lines, as for a failed build.
        for deployment in crashed { await environment.captureFailureLog(rollout, deployment) }
        let interval = Duration.seconds(rolloutSettings.healthIntervalSeconds)
        let check = HealthCheck(
            problems: problems, windowSeconds: Double(rolloutSettings.healthWindowSeconds),
            failureThreshold: environment.settings.healthFailureThreshold,
            maxGapSeconds: environment.maxGapSeconds(checkInterval: interval))
        let observed = (rollout.window ?? ObservedWindow()).healthySeconds
        let why =
            problems.isEmpty
            ? "health gate: healthy for \(Int(observed)) s of \(rolloutSettings.healthWindowSeconds) s"
            : "health check failed (\((rollout.healthFailures ?? 0) + 1) of \(environment.settings.healthFailureThreshold)): \(problems.joined(separator: "; "))"
        return .wait(interval, why, event: .healthChecked(check))
    }
}
