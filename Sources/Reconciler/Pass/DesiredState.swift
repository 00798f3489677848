import ClipnetContracts
public import KnownGoodStore

/// What a pass works toward, decided from the record and the branch head alone (no I/O).
///
/// - The desired revision is the pin's, else a GitHub deployment request's, else what the
///   environment follows (a tag's mark, else the branch head).
/// - A rollout in flight keeps its revision while it rolls back, and while the branch moves on: a
///   newer commit waits until the current rollout ends, so a busy branch cannot starve every
///   rollout. An operator's pin (a rollback is a pin) does not wait: it supersedes the rollout.
///   Neither does a newer revision while the rollout still waits at the release gate: nothing
///   was deployed yet, and CI may never report on a commit the branch has moved past.
/// - A desired revision that failed is not rolled out again until a new commit or a retry; the
///   pass then works toward the revision the environment settled at (drift healing only).
public struct DesiredState: Sendable, Equatable {
    /// The watched branch's head, as last fetched.
    public var head: String?
    /// The pin's revision, else the deployment request's, else the head.
    public var desired: String?
    /// What this pass works toward; nil when nothing can be done until someone acts.
    public var target: String?
    /// The rollout in flight must give way to `target` (an operator pinned another revision).
    public var supersedes: Bool
    /// Why nothing is rolled out although the environment is not at the desired revision.
    public var blockedBy: String?
    /// A newer revision waiting for the rollout in flight to end.
    public var waiting: String?

    public static func resolve(_ state: EnvironmentState, head: String?, branch: String) -> DesiredState {
        var result = DesiredState(head: head, desired: nil, target: nil, supersedes: false, blockedBy: nil, waiting: nil)
        guard let desired = desiredRevision(state, followed: head) else {
            result.blockedBy = "the branch \(branch) has not been fetched yet"
            return result
        }
        result.desired = desired
        if let rollout = state.rollout, rollout.isActive {
            // A pin, or a deployment request, is a person asking for this revision now.
            let pinned = state.pin?.revision == desired || (state.pin == nil && state.request?.revision == desired)
            let rollingBack = rollout.phase == .rollingBack || rollout.phase == .verifyRollback
            let atGate = rollout.phase == .checkGate
            if rollingBack || rollout.revision == desired || (!pinned && !atGate) {
                result.target = rollout.revision
                if rollout.revision != desired, !rollingBack { result.waiting = desired }
            } else {
                result.target = desired
                result.supersedes = true
            }
        } else if let held = heldBack(desired, in: state) {
            result.target = state.settledRevision
            result.blockedBy = held
        } else {
            result.target = desired
        }
        return result
    }

    /// Precedence: the pin, else the deployment request, else `followed` (the tag's mark, else
    /// the branch head). The one place that decides it, for passes, status and `plan`.
    public static func desiredRevision(_ state: EnvironmentState, followed: String?) -> String? {
        state.pin?.revision ?? state.request?.revision ?? followed
    }

    /// Why `desired` is not rolled out, when it failed and waits for a new commit or a retry.
    public static func heldBack(_ desired: String, in state: EnvironmentState) -> String? {
        guard state.rollout?.isActive != true, let failure = state.failure(for: desired) else { return nil }
        let failed = "\(CommitID.short(desired)) failed\(failure.phase.map { " in \($0.rawValue)" } ?? ""): \(failure.reason); "
        if state.pin == nil, let request = state.request, request.revision == desired {
            // A new commit changes nothing while the request stands: say what does.
            return failed + "it is held back while \(request.words) marks it: `reconciler unmark` follows the branch again, "
                + "`reconciler retry` tries it again"
        }
        return failed + "it is held back until a new commit arrives or an operator runs `reconciler retry`"
    }

    /// Whether a pass from `state` starts a rollout (after superseding the one in flight, when
    /// `supersedes`): the same decision `RolloutDriver.run` makes, taken before it so the pass
    /// can skip what only an idle environment needs.
    public func startsRollout(from state: EnvironmentState) -> Bool {
        guard let target, blockedBy == nil else { return false }
        if let rollout = state.rollout, rollout.isActive { return supersedes && rollout.revision != target }
        return state.settledRevision != target
    }

    /// The revision whose manifest the pass checks: the target, else the desired revision.
    public var manifestRevision: String? { target ?? desired }
}
