import DriftDetector

/// Step 3: what the platforms and the services report, and how it differs from what should run.
struct ObserveStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "observe" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let preflight = context.preflight, let platforms = context.platforms else { return .proceed }
        let observer = EnvironmentObserver(environment: dependencies.environment, probes: dependencies.probes, settings: dependencies.settings)
        let observation: Observation
        do {
            observation = try await observer.observe(platforms: platforms, preflight: preflight)
        } catch {
            if context.activeRollout != nil {
                return try await RolloutProgress(dependencies: dependencies).handle(error, &context, during: "observing the platforms")
            }
            throw ReconcileError.transient(.platformUnavailable, "observing the platforms: \(RolloutProgress.message(error))")
        }
        record(observation, &context)
        return .proceed
    }

    /// Observes again after the pass changed the platforms (for status; no rollout logic).
    func observeOnly(_ context: inout PassContext) async throws {
        guard let preflight = context.preflight, let platforms = context.platforms else { return }
        let observer = EnvironmentObserver(environment: dependencies.environment, probes: dependencies.probes, settings: dependencies.settings)
        record(try await observer.observe(platforms: platforms, preflight: preflight), &context)
    }

    private func record(_ observation: Observation, _ context: inout PassContext) {
        context.observation = observation
        guard let target = context.target, let preflight = context.preflight else { return }
        // After a settled rollout, drift is measured against where the environment now is.
        let reference = context.activeRollout == nil && context.state.failure(for: target) != nil ? (context.state.settledRevision ?? target) : target
        context.drift = DriftDetector.detect(
            desired: DriftInputs.desired(target: reference, state: context.state, preflight: preflight, observation: observation),
            observed: DriftInputs.observed(observation))
    }
}
