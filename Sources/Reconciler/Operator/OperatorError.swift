/// Why an operator request was refused, in words an operator can act on. Maps to a 4xx answer
/// (503 for `notLeader` and `unavailable`) on the HTTP API and a non-zero exit in the CLI.
public struct OperatorError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The revision does not exist in the repository.
        public static let unknownRevision = Code("unknown_revision")
        /// The revision exists but is not on the watched branch, and `force` was not given.
        public static let notOnBranch = Code("not_on_branch")
        /// A rollback target is not a known-good revision, or there is none to go back to.
        public static let noRollbackTarget = Code("no_rollback_target")
        /// A promotion the rules refuse: not a known-good revision of this environment, marked
        /// failed, younger than the soak time, not a fast-forward, or promotion not configured.
        public static let notPromotable = Code("not_promotable")
        /// A deployment request this environment does not take: production follows only what
        /// was promoted, so nothing marks a build for it.
        public static let notMarkable = Code("not_markable")
        /// A required field (reason, by) is missing or empty.
        public static let invalidRequest = Code("invalid_request")
        /// This replica is a standby: another replica leads and takes operator requests (503).
        public static let notLeader = Code("not_leader")
        /// The state store or the repository cannot be reached right now; retrying may help (503).
        public static let unavailable = Code("unavailable")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
