import Deployers
import Foundation

/// Rollout step 6: for the manifest's health window, the API's health URL answers 2xx and the
/// three new deployments stay up (a worker that crashes after deploying fails the gate too).
/// `healthFailureThreshold` consecutive failed checks fail the rollout; one blip does not.
struct HealthGateStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "healthGate" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let rollout = context.activeRollout, rollout.phase == .healthGate,
              let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let progress = RolloutProgress(dependencies: dependencies)
        let settings = preflight.resolved.manifest.rollout
        var problems: [String] = []
        if let failure = await dependencies.probes.health(at: preflight.resolved.manifest.railway.services.api.healthUrl).failure {
            problems.append(failure)
        }
        do {
            for service in ServiceName.allCases {
                guard let id = rollout.deployments[service] else { continue }
                let deployment = try await platforms.deployer(for: service).deployment(DeploymentID(id), of: service)
                if !deployment.status.isSuccess { problems.append("the \(service) deployment \(id) is \(deployment.rawStatus)") }
            }
        } catch {
            return try await progress.handle(error, &context, during: "checking the new deployments")
        }

        let interval = Duration.seconds(settings.healthIntervalSeconds)
        if !problems.isEmpty {
            let failures = (rollout.healthFailures ?? 0) + 1
            if failures >= dependencies.settings.healthFailureThreshold {
                return try await progress.fail(&context, reason: "health gate: \(problems.joined(separator: "; ")) (\(failures) checks in a row)")
            }
            try await progress.update(&context) { record, _ in record.healthFailures = failures }
            return .requeue(after: interval, reason: "health check failed (\(failures) of \(dependencies.settings.healthFailureThreshold)): \(problems.joined(separator: "; "))")
        }
        if rollout.healthFailures != nil {
            try await progress.update(&context) { record, _ in record.healthFailures = nil }
        }
        let window = Duration.seconds(settings.healthWindowSeconds)
        let elapsed = rollout.timeInPhase
        if elapsed >= window {
            context.note("healthGate", nil, "healthy for \(settings.healthWindowSeconds)s")
            try await progress.advance(&context, to: .markKnownGood)
            return .proceed
        }
        return .requeue(after: min(interval, window - elapsed), reason: "health gate: healthy so far, \(window - elapsed) to go")
    }
}
