public import ClipnetContracts
public import Foundation

/// What the watcher knows right now, for `/status` and for logs.
public struct WatchStatus: Sendable, Equatable {
    public var branch: String
    /// The last head a successful fetch saw (kept through failed fetches).
    public var head: CommitID?
    public var lastAttemptAt: Date?
    public var lastSuccessAt: Date?
    /// The last failure's text (libgit2's own words), cleared by the next success.
    public var lastError: String?
    public var consecutiveFailures: Int
    /// The revision a tag marks for the environment (`repository.markTags`), as last fetched.
    public var mark: MarkedRevision?

    public init(branch: String) {
        self.branch = branch
        self.consecutiveFailures = 0
    }
}

/// A commit marked for the environment by a tag (`staging/2026-12-07`): followed instead of the
/// branch head until the tag is deleted or a newer commit is marked.
public struct MarkedRevision: Sendable, Equatable, Hashable {
    public var tag: String
    public var commit: CommitID

    public init(tag: String, commit: CommitID) {
        self.tag = tag
        self.commit = commit
    }
}
