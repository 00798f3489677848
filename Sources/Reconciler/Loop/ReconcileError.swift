/// A reconcile failure, typed by what it needs to clear (the Flux taxonomy):
/// - `stalled`: a human must act (bad manifest, isolation violation); retrying will not help.
/// - `waiting`: time will clear it (a build still running, a rate limit); retry after the delay.
/// - `transient`: a retry may clear it (a platform or network error).
public struct ReconcileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case stalled
        case waiting(retryAfter: Duration)
        case transient
    }

    /// Open-ended reason codes; new ones are added as steps need them.
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let invalidManifest = Reason("invalid_manifest")
        public static let isolationViolation = Reason("isolation_violation")
        public static let unresolvedSecret = Reason("unresolved_secret")
        public static let unknownRevision = Reason("unknown_revision")
        public static let buildInProgress = Reason("build_in_progress")
        public static let rateLimited = Reason("rate_limited")
        public static let platformUnavailable = Reason("platform_unavailable")
        public static let gitUnavailable = Reason("git_unavailable")
        public static let storeUnavailable = Reason("store_unavailable")
        public static let missingToken = Reason("missing_token")
        /// A platform refused the token (or does not show it the project).
        public static let platformAccess = Reason("platform_access")
        public static let notLeader = Reason("not_leader")
        public static let rolloutFailed = Reason("rollout_failed")
        public static let rollbackFailed = Reason("rollback_failed")
        /// The record a re-point would go back to is no longer rollback-ready and rebuilding is
        /// switched off (`reconcile.expiredRollback: stall`).
        public static let rollbackExpired = Reason("rollback_expired")
        public static let unexpected = Reason("unexpected")
        /// The record changed while the pass ran (an operator acted): decided again at once.
        public static let staleDecision = Reason("stale_decision")
        /// The pass was cancelled: shutdown, or this replica lost leadership.
        public static let cancelled = Reason("cancelled")
    }

    public let kind: Kind
    public let reason: Reason
    public let message: String

    public init(_ kind: Kind, _ reason: Reason, _ message: String) {
        self.kind = kind
        self.reason = reason
        self.message = message
    }

    public static func stalled(_ reason: Reason, _ message: String) -> ReconcileError { .init(.stalled, reason, message) }
    public static func waiting(_ reason: Reason, retryAfter: Duration, _ message: String) -> ReconcileError {
        .init(.waiting(retryAfter: retryAfter), reason, message)
    }
    public static func transient(_ reason: Reason, _ message: String) -> ReconcileError { .init(.transient, reason, message) }

    public var description: String { "\(reason): \(message)" }
}
