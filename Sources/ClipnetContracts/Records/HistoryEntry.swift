public import Foundation

/// What kind of event a history entry records.
public enum HistoryKind: String, Codable, Sendable, CaseIterable {
    case rolloutStarted
    case knownGood
    case rolloutFailed
    case rolledBack
    case pinned
    case unpinned
    case retried
    case driftHealed
    /// A rollout gave way to a newer desired revision before it finished.
    case rolloutSuperseded
    /// The environment was moved back to a known-good record's deployments (no build).
    case repointed
    /// An operator promoted a known-good revision to the next environment (the production
    /// branch was fast-forwarded to it); `detail` names the branch and where it was.
    case promoted
    /// A GitHub deployment request marked `revision` for the environment (`by`: who asked on
    /// GitHub; `detail`: the deployment and its ref).
    case requested
    /// An operator cleared the deployment request's mark; the environment follows the tags or
    /// the branch again.
    case unmarked
}

/// One line of the append-only history, as the store keeps it and `GET /history` serves it.
/// `sequence` is contiguous per environment (1, 2, 3...),
/// which is how a reader checks that nothing was lost.
public struct HistoryEntry: Codable, Sendable, Equatable, Hashable {
    public var sequence: Int64
    public var at: Date
    public var kind: HistoryKind
    public var revision: String?
    public var by: String?
    public var reason: String?
    public var rolloutID: String?
    public var detail: String?
    /// For `knownGood`: when the revision was authored (a change's lead time is `at - commitAt`).
    public var commitAt: Date?
    /// On the entry that ends a rollout (known-good, re-pointed, rolled back, failed,
    /// superseded): every phase it went through, so `history --rollout` can show where the time
    /// went after the record has moved on to the next rollout.
    public var timeline: [PhaseSpan]?
    /// On the same entry: the platforms' own timing of the rollout's deployments.
    public var platformSteps: [PlatformStep]?

    public init(
        sequence: Int64 = 0, at: Date, kind: HistoryKind, revision: String? = nil, by: String? = nil,
        reason: String? = nil, rolloutID: String? = nil, detail: String? = nil, commitAt: Date? = nil, timeline: [PhaseSpan]? = nil,
        platformSteps: [PlatformStep]? = nil
    ) {
        self.commitAt = commitAt
        self.timeline = timeline
        self.platformSteps = platformSteps
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.revision = revision
        self.by = by
        self.reason = reason
        self.rolloutID = rolloutID
        self.detail = detail
    }
}
