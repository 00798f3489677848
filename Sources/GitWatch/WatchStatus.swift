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

    public init(branch: String) {
        self.branch = branch
        self.consecutiveFailures = 0
    }
}
