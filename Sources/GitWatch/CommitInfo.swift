public import ClipnetContracts
public import Foundation

/// Who made a commit, when, and its subject line: what status pages and history show.
public struct CommitInfo: Sendable, Equatable, Codable {
    public let id: CommitID
    public let authorName: String
    public let authorEmail: String
    /// The author time.
    public let time: Date
    /// The first line of the message.
    public let subject: String
}

/// A new head of the watched branch, as one fetch saw it.
public struct HeadUpdate: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The first head this watcher has seen.
        case initial
        /// The new head descends from the previous one.
        case fastForward
        /// The new head does not descend from the previous one: history was rewritten.
        case forcePush
        /// The head is unchanged; the revision a tag marks for the environment changed.
        case markChanged
    }

    public let branch: String
    public let previous: CommitID?
    public let current: CommitID
    public let kind: Kind
    public let fetchedAt: Date

    public init(branch: String, previous: CommitID?, current: CommitID, kind: Kind, fetchedAt: Date) {
        self.branch = branch
        self.previous = previous
        self.current = current
        self.kind = kind
        self.fetchedAt = fetchedAt
    }
}
