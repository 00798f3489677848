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
        var waiting: [CommitCheck] = []
        for name in required {
            // Several results of one name (a re-run, a status and a check run): any failure
            // fails, else any pending waits.
            let mine = checks.filter { $0.name == name }
            if let failed = mine.first(where: { $0.state == .failure }) { return .failed(failed) }
            if mine.isEmpty {
                waiting.append(CommitCheck(name: name, state: .pending, detail: "not reported yet", url: nil))
            } else if let pending = mine.first(where: { $0.state == .pending }) {
                waiting.append(pending)
            }
        }
        return waiting.isEmpty ? .passed : .pending(waiting)
    }
}
