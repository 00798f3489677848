/// What a step tells the runner.
public enum StepOutcome: Sendable, Equatable {
    /// Go on with the next step.
    case proceed
    /// Stop this pass and run again after the delay (e.g. a deployment is still building).
    case requeue(after: Duration, reason: String)
    /// Stop this pass: nothing more to do (e.g. already at the desired revision).
    case done(reason: String)
}

/// One small step of a reconcile pass, in its own file. Steps share a mutable `Context` that
/// carries what earlier steps learned (desired revision, manifest, observed state).
public protocol ReconcileStep<Context>: Sendable {
    associatedtype Context
    /// Shown in status, logs and metrics.
    var name: String { get }
    func run(_ context: inout Context) async throws -> StepOutcome
}
