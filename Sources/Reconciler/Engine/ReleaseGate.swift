public import ClipnetContracts
public import GitHubAPI

/// Where the release gate reads a commit's CI results: GitHub in the daemon (`GitHubClient`), a
/// stand-in in tests.
public protocol CommitChecking: Sendable {
    /// Every check run and commit status GitHub has for `revision`.
    func checks(revision: String) async throws -> [CommitCheck]
}

/// Deploy only what CI passed: a build rollout starts in `checkGate` and moves on only once every
/// required check of its revision succeeded. Off (nil in the dependencies) unless configured.
public struct ReleaseGate: Sendable {
    public var checker: any CommitChecking
    /// Check-run names or commit-status contexts that must succeed.
    public var required: [String]
    /// How soon a pending gate looks again (GitHub's webhooks wake it sooner).
    public var interval: Duration

    public init(checker: any CommitChecking, required: [String], interval: Duration) {
        self.checker = checker
        self.required = required
        self.interval = interval
    }
}

extension GitHubClient: CommitChecking {
    public func checks(revision: String) async throws -> [CommitCheck] { try await checks(ref: revision) }
}
