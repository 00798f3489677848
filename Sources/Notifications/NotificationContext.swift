/// What the daemon knows that the store does not: whether passes stall, which drift is only
/// reported, and the dashboard links of the deployments it observed. Read before every round.
public struct NotificationContext: Sendable, Equatable {
    /// A stall: passes stopped until a person acts.
    public struct Stall: Sendable, Equatable {
        /// What stalled, stable from pass to pass (`<step>/<reason>`): the edge is a change of key.
        public var key: String
        public var message: String

        public init(key: String, message: String) {
            self.key = key
            self.message = message
        }
    }

    /// Whether a pass has finished since this process started: before that, neither a stall nor
    /// a recovery is known, so none is reported.
    public var passKnown: Bool
    public var stall: Stall?
    /// Whether the platforms have been observed since this process started.
    public var driftKnown: Bool
    /// The drift only reported (by policy, or that re-applying cannot remove), as people read it.
    public var reportedDrift: [String]
    /// Deployment id → its page in the platform's dashboard (Vercel's inspector, Railway's service).
    public var deploymentLinks: [String: String]

    public init(
        passKnown: Bool = false, stall: Stall? = nil, driftKnown: Bool = false, reportedDrift: [String] = [], deploymentLinks: [String: String] = [:]
    ) {
        self.passKnown = passKnown
        self.stall = stall
        self.driftKnown = driftKnown
        self.reportedDrift = reportedDrift
        self.deploymentLinks = deploymentLinks
    }
}
