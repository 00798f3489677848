import ClipnetConfig
import ClipnetContracts
import Deployers
import DriftDetector
import KnownGoodStore

/// Describes, without doing any of it, what the next pass would do: the rollout it would start,
/// supersede or continue, or the drift it would heal (`reconciler plan`).
struct PlanWriter {
    let preflight: ConfigurationPreflight.Result
    let notes: NoteBook

    func describe(state: EnvironmentState, desired: DesiredState, drift: [Drift], policies: [DriftKind: DriftPolicy], observation: Observation?) {
        guard let target = desired.target else { return }
        if let rollout = state.rollout, rollout.isActive {
            if desired.supersedes, rollout.revision != target {
                notes.add(
                    "supersede", nil,
                    "stop the rollout of \(CommitID.short(rollout.revision)) (\(rollout.phase.rawValue)) for \(CommitID.short(target))")
            } else {
                notes.add(
                    "continue", nil,
                    "the \(rollout.mode?.rawValue ?? "build") rollout \(rollout.id) of \(CommitID.short(rollout.revision)) is in phase \(rollout.phase.rawValue)"
                )
                return
            }
        } else if state.settledRevision == target {
            let plan = HealPlan(
                drift: drift, policies: policies, observation: observation, target: target, record: state.knownGoodRecord(for: target))
            for line in plan.reported { notes.add("report", line.service, line.detail) }
            let record = state.knownGoodRecord(for: target)
            for service in plan.repoint {
                notes.add("heal", service.rawValue, "re-point to known-good deployment \(record?.deployments[service] ?? "(none recorded)")")
            }
            for service in plan.reapply { notes.add("heal", service.rawValue, "re-apply the manifest's variables") }
            for service in plan.autoDeploy { notes.add("heal", service.rawValue, "switch the platform's auto-deploy off") }
            return
        }
        if let record = state.knownGoodRecord(for: target) {
            for service in [ServiceName.api, .worker, .frontend] {
                notes.add(
                    "repoint", service.rawValue,
                    "serve recorded deployment \(record.deployments[service] ?? "none") of \(CommitID.short(target)) again (no build)")
            }
            notes.add("verify", nil, "the services report \(CommitID.short(target)) again")
            return
        }
        let manifest = preflight.resolved.manifest
        for service in [ServiceName.frontend, .api, .worker] {
            let count = DesiredVariables.of(service, preflight: preflight, revision: target).count
            notes.add("syncVariables", service.rawValue, "upsert \(count) variable(s) without deploying")
        }
        notes.add("deploy", "api", "deploy \(target) with version tag \(CommitID.short(target))")
        notes.add("deploy", "worker", "deploy \(target) with version tag \(CommitID.short(target))")
        notes.add("verify", nil, "the API's version endpoint and the new worker deployment's heartbeats report \(CommitID.short(target))")
        notes.add("deploy", "frontend", "deploy \(target)")
        notes.add("alias", "frontend", "point \(manifest.frontend.domain) at the new deployment")
        notes.add("healthGate", nil, "health URLs answer 2xx for \(manifest.rollout.healthWindowSeconds)s")
        notes.add("markKnownGood", nil, "record \(CommitID.short(target)) as known-good")
    }
}
