import ClipnetContracts
import GitHubAPI
import KnownGoodStore

/// The release gate: before any platform is touched, every required CI check of the revision
/// must have succeeded. Pending: the rollout waits in this phase (status names the checks, with
/// links, and since when), looking again every `gate.interval` or when GitHub's webhook says a
/// check changed. Failed: the revision is held back with the check named. A gate that cannot
/// reach GitHub waits too: it never lets an unchecked revision through.
struct CheckGatePhase: PhaseHandler {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep {
        guard let gate = environment.dependencies.gate else {
            // Configured off since the rollout started: nothing to wait for.
            return .event(.gateChecked(GateCheck(verdict: .passed, checks: [])))
        }
        let checks: [CommitCheck]
        do {
            checks = try await gate.checker.checks(revision: rollout.revision)
        } catch {
            // GitHub's rate limits say how long; anything else is looked at again on the interval.
            let wait = (error as? GitHubError)?.retryAfter.map { max($0, gate.interval) } ?? gate.interval
            return .wait(wait, "the release gate cannot read the CI checks (\(error)); nothing deploys unchecked")
        }
        let required = GateVerdict.decisive(required: gate.required, checks: checks)
        let verdict = GateVerdict.evaluate(required: gate.required, checks: checks)
        let check = GateCheck(verdict: verdict, checks: required)
        switch verdict {
        case .passed, .failed:
            return .event(.gateChecked(check))
        case .pending(let waiting):
            let names = waiting.map { "\($0.name) (\($0.detail))" }.joined(separator: ", ")
            // Recorded when what is pending changed, so status shows it; otherwise only waited.
            let event: RolloutEvent? = rollout.gateChecks == required ? nil : .gateChecked(check)
            return .wait(gate.interval, "waiting for CI checks: \(names)", event: event)
        }
    }
}
