import ClipnetConfig
import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import Logging

/// Moves every service back onto a known-good record's deployments without building: the
/// re-point rollout (a pin or rollback to a known-good revision, drift healing) and the automatic
/// rollback after a failed build.
///
/// Each move is committed as soon as the platform answers (a Railway rollback creates a new
/// deployment and returns only that it started), and a later pass waits on that deployment
/// instead of asking for another rollback. A service already serving the record's revision is not
/// moved (a Railway rollback is not harmless to repeat), but its variables are put back, because a
/// failed rollout may have synced the newer revision's variables onto it. Verification follows in
/// its own phase.
struct RepointPhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        let rollingBack = rollout.phase == .rollingBack
        let refused: (String) -> RolloutEvent = rollingBack ? { .rollbackFailed(reason: $0) } : { .failed(reason: $0) }
        guard
            let target = rollingBack
                ? rollout.rollbackTarget : KnownGoodRecord(revision: rollout.revision, at: rollout.startedAt, deployments: rollout.deployments)
        else {
            return .event(.failed(reason: "there is no known-good record to roll back to"))
        }
        if rollingBack, rollout.repointDeployments == nil {
            await environment.cancelUnfinished(rollout)
        }
        let variables = await Self.variables(for: target.revision, rolloutRevision: rollout.revision, environment)
        var record = rollout
        var done: [String] = []
        var pending: [String] = []
        do {
            for service in [ServiceName.api, .worker, .frontend] {
                guard let deployment = target.deployments[service] else {
                    done.append("\(service): no recorded deployment, left as it is")
                    continue
                }
                let deployer = environment.platforms.deployer(for: service)
                if let moved = record.repointDeployments?[service] {
                    guard service != .frontend, moved != deployment else { continue }
                    let current = try await deployer.deployment(DeploymentID(moved), of: service)
                    if current.status.isTerminal && !current.status.isSuccess {
                        return .event(refused("the \(service) rollback deployment \(moved) ended \(current.rawStatus)"))
                    }
                    if !current.status.isTerminal { pending.append("\(service) \(current.rawStatus)") }
                    continue
                }
                let live = try await deployer.observe(service)
                if Self.servesAlready(service, live: live, deployment: deployment, revision: target.revision) {
                    try await deployer.upsertVariables(variables[service] ?? [], for: service)
                    record = try await environment.commit(.repointIssued(service, live?.id.rawValue ?? deployment), record)
                    done.append("\(service) already serves \(CommitID.short(target.revision)); variables re-applied")
                    continue
                }
                let serving = try await deployer.repoint(service, to: DeploymentID(deployment), reapplying: variables[service] ?? [])
                record = try await environment.commit(.repointIssued(service, serving.rawValue), record)
                done.append("\(service) re-pointed to \(deployment)" + (serving.rawValue == deployment ? "" : " (serving as \(serving))"))
                environment.note(rollingBack ? "rollback" : "repoint", service.rawValue, "\(deployment) of \(CommitID.short(target.revision))")
                environment.dependencies.logger.info(
                    "Service re-pointed",
                    metadata: [
                        "service": "\(service)", "revision": "\(target.revision)", "deployment": "\(deployment)", "deployment.serving": "\(serving)",
                    ])
                if service != .frontend, serving.rawValue != deployment {
                    let current = try await deployer.deployment(serving, of: service)
                    if !current.status.isTerminal { pending.append("\(service) \(current.rawStatus)") }
                }
            }
        } catch {
            return try environment.classify(
                error, during: "\(rollingBack ? "rolling back" : "re-pointing") to \(CommitID.short(target.revision))", failure: refused)
        }
        if !pending.isEmpty {
            if record.timeInPhase(now: environment.now) > environment.settings.verifyTimeout {
                return .event(
                    refused(
                        "the rollback deployment(s) did not finish within \(environment.settings.verifyTimeout): \(pending.joined(separator: ", "))"))
            }
            return .wait(environment.settings.rolloutPollInterval, "waiting for the rollback deployment(s): \(pending.joined(separator: ", "))")
        }
        if variables.isEmpty { done.append("variables not re-applied: the manifest at \(CommitID.short(target.revision)) could not be checked") }
        return .event(.repointed(detail: done.joined(separator: "; ")))
    }

    /// The record's variables: from the manifest at the record's revision (a rollback target may
    /// differ from the failed rollout's manifest). Empty when that manifest cannot be checked.
    private static func variables(
        for revision: String, rolloutRevision: String, _ environment: PhaseEnvironment
    ) async -> [ServiceName: [DesiredVariable]] {
        let preflight: ConfigurationPreflight.Result?
        if revision == rolloutRevision {
            preflight = environment.preflight
        } else {
            preflight = try? await ManifestPreflight.run(at: revision, environment.dependencies)
        }
        guard let preflight else { return [:] }
        var variables: [ServiceName: [DesiredVariable]] = [:]
        for service in ServiceName.allCases {
            variables[service] = DesiredVariables.of(service, preflight: preflight, revision: revision)
        }
        return variables
    }

    static func servesAlready(_ service: ServiceName, live: ObservedDeployment?, deployment: String, revision: String) -> Bool {
        guard let live else { return false }
        if service == .frontend { return live.id.rawValue == deployment }
        return live.id.rawValue == deployment || (live.status.isSuccess && CommitID.same(live.commitSha ?? live.imageTag, revision))
    }
}
