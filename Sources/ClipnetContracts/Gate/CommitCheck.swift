import Foundation

/// One CI result for a commit, as GitHub reports it: a check run (by its name) or a commit status
/// (by its context). What the release gate reads and `/status` shows while a rollout waits.
public struct CommitCheck: Codable, Sendable, Equatable, Hashable {
    public enum State: String, Codable, Sendable {
        case pending
        case success
        case failure
    }

    public var name: String
    public var state: State
    /// GitHub's own word: a check run's `conclusion` (or `status` while it runs), a status's `state`.
    public var detail: String
    /// Where a person reads it (the check run's or the status's page).
    public var url: String?

    public init(name: String, state: State, detail: String, url: String?) {
        self.name = name
        self.state = state
        self.detail = detail
        self.url = url
    }
}

/// What the release gate concluded about a commit from its checks.
public enum GateVerdict: Sendable, Equatable {
    /// Every required check succeeded.
    case passed
    /// Some required checks have not finished (or not reported yet): these.
    case pending([CommitCheck])
    /// A required check failed: the first one, by the order required.
    case failed(CommitCheck)

    /// The verdict for `required` names (check-run names or status contexts) among `checks`. A
    /// required check GitHub has not heard of yet is pending: CI may not have started.
    public static func evaluate(required: [String], checks: [CommitCheck]) -> GateVerdict {
        let decisive = decisive(required: required, checks: checks)
        if let failed = decisive.first(where: { $0.state == .failure }) { return .failed(failed) }
        let waiting = decisive.filter { $0.state == .pending }
        return waiting.isEmpty ? .passed : .pending(waiting)
    }

    /// For each required name, in order, the result that decides it: several of one name (a
    /// re-run, a status and a check run) fail if any failed, else wait if any is pending; a name
    /// GitHub has not heard of is pending, "not reported yet". What status shows while the gate waits.
    public static func decisive(required: [String], checks: [CommitCheck]) -> [CommitCheck] {
        required.map { name in
            let mine = checks.filter { $0.name == name }
            return mine.first { $0.state == .failure } ?? mine.first { $0.state == .pending } ?? mine.first
                ?? CommitCheck(name: name, state: .pending, detail: "not reported yet", url: nil)
        }
    }
}
