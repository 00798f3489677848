/// What a named operator token may do. Each role includes the ones below it.
///
/// - `viewer`: the reads that are not public (`GET /plan`: the variables and requests a pass would make).
/// - `operator`: also pin, unpin, reconcile, retry and roll back.
/// - `admin`: also the actions that change platform configuration beyond a rollout (removing
///   variables from Vercel's preview target). The shared `RECONCILER_TOKEN` is an admin token.
public enum OperatorRole: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case viewer
    case `operator`
    case admin

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: OperatorRole, rhs: OperatorRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether a caller with this role may use a route that needs `needed`.
    public func allows(_ needed: OperatorRole) -> Bool { self >= needed }
}

/// Who made a request, as the token proved it: recorded in history, logs and metrics.
public struct OperatorCaller: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// A named token from the token file: the name is verified.
        case namedToken
        /// The shared `RECONCILER_TOKEN`: an admin whose name is whatever the request says
        /// (`by`, `X-Reconciler-Actor`), unverified.
        case sharedToken
        /// No token was needed (a public read) or none is configured.
        case anonymous
    }

    public let name: String
    public let role: OperatorRole?
    public let source: Source

    public init(name: String, role: OperatorRole?, source: Source) {
        self.name = name
        self.role = role
        self.source = source
    }

    public static let anonymous = OperatorCaller(name: "anonymous", role: nil, source: .anonymous)

    /// The bounded label metrics use: the token's name, or `shared-token` (a free-text label
    /// would let any caller create series).
    public var metricsLabel: String {
        switch source {
        case .namedToken: name
        case .sharedToken: "shared-token"
        case .anonymous: "anonymous"
        }
    }
}
