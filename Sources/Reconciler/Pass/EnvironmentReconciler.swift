import Foundation
import KnownGoodStore
import Logging

/// One environment's reconcile pass: an ordered list of small steps (one file each under
/// `Steps/`) over shared dependencies. The rollout steps act only in their own phase, so a pass
/// picks up a persisted rollout wherever it stands: after a restart, after a takeover by another
/// replica, or after waiting on a build.
public final class EnvironmentReconciler: Sendable {
    public let dependencies: ReconcilerDependencies
    private let runner: StepRunner<PassContext>

    public init(dependencies: ReconcilerDependencies) {
        self.dependencies = dependencies
        runner = StepRunner(
            steps: [
                ResolveDesiredStep(dependencies: dependencies),
                PreflightStep(dependencies: dependencies),
                ObserveStep(dependencies: dependencies),
                StartRolloutStep(dependencies: dependencies),
                SyncVariablesStep(dependencies: dependencies),
                DeployBackendStep(dependencies: dependencies),
                VerifyBackendStep(dependencies: dependencies),
                DeployFrontendStep(dependencies: dependencies),
                HealthGateStep(dependencies: dependencies),
                MarkKnownGoodStep(dependencies: dependencies),
                RepointStep(dependencies: dependencies),
                RollbackStep(dependencies: dependencies),
                HealDriftStep(dependencies: dependencies),
            ],
            logger: dependencies.logger)
    }

    /// Runs one pass and returns how it ended with everything it learned.
    public func pass(_ triggers: Set<ReconcileTrigger>, store: any StateStore) async -> PassOutcome {
        var context = PassContext(triggers: triggers, store: store)
        let report = await runner.run(&context)
        if context.platformsChanged, context.activeRollout == nil {
            // What status shows should be what runs now, not what ran when the pass began.
            try? await ObserveStep(dependencies: dependencies).observeOnly(&context)
        }
        return PassOutcome(report: report, context: context)
    }

    /// What a pass would do now, changing nothing (`reconciler plan`).
    public func plan(store: any StateStore) async -> PassOutcome {
        var context = PassContext(triggers: [.operatorRequest], dryRun: true, store: store)
        let report = await runner.run(&context)
        return PassOutcome(report: report, context: context)
    }
}

/// A pass's report and its final context.
public struct PassOutcome: Sendable {
    public let report: PassReport
    public let context: PassContext
}
