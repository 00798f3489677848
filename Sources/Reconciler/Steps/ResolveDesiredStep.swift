import KnownGoodStore

/// Step 1: load the environment's record and decide what this pass works toward.
///
/// - The desired revision is the pin's, else the branch head.
/// - A rollout in flight keeps its revision while it rolls back, and while the branch moves on:
///   a newer commit waits until the current rollout ends, so a busy branch cannot starve every
///   rollout. An operator's pin does not wait: it supersedes the rollout.
/// - A desired revision that failed is not rolled out again until a new commit or a retry; the
///   pass then works toward the revision the environment settled at (drift healing only).
struct ResolveDesiredStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "resolveDesired" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        context.state = try await StoreAccess.load(context.store, dependencies.environment)
        context.head = dependencies.head()?.hex
        guard let desired = context.state.pin?.revision ?? context.head else {
            context.blockedBy = "the branch \(dependencies.branch) has not been fetched yet"
            return .done(reason: "waiting for the first fetch of \(dependencies.branch)")
        }
        context.desiredRevision = desired
        if let rollout = context.activeRollout {
            let pinned = context.state.pin?.revision == desired
            if rollout.phase == .rollingBack || rollout.revision == desired || !pinned {
                context.target = rollout.revision
                if rollout.revision != desired, rollout.phase != .rollingBack {
                    context.note("wait", nil, "\(short(desired)) rolls out after the rollout of \(short(rollout.revision)) ends")
                }
            } else {
                context.target = desired
            }
        } else if let held = Self.heldBack(desired, in: context.state) {
            context.target = context.state.settledRevision
            context.blockedBy = held
        } else {
            context.target = desired
        }
        context.manifestRevision = context.target ?? desired
        return .proceed
    }

    /// Why `desired` is not rolled out, when it failed and waits for a new commit or a retry.
    static func heldBack(_ desired: String, in state: EnvironmentState) -> String? {
        guard state.rollout?.isActive != true, let failure = state.failure(for: desired) else { return nil }
        return "\(short(desired)) failed\(failure.phase.map { " in \($0.rawValue)" } ?? ""): \(failure.reason); "
            + "it is held back until a new commit arrives or an operator runs `reconciler retry`"
    }
}
