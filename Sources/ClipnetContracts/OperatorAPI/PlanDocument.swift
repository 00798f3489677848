/// What `reconciler plan` shows: the actions a reconcile would take now, in order.
public struct PlanDocument: Codable, Sendable, Equatable {
    public struct Action: Codable, Sendable, Equatable {
        /// `syncVariables`, `deploy`, `verify`, `alias`, `healthGate`, `markKnownGood`, `repoint`,
        /// `heal` or `report`.
        public var action: String
        public var service: String?
        public var detail: String

        public init(action: String, service: String?, detail: String) {
            self.action = action
            self.service = service
            self.detail = detail
        }
    }

    public var environment: String
    /// Nil until the branch has been fetched once (and nothing is pinned).
    public var desiredRevision: String?
    /// `branch` or `pin`.
    public var source: String
    public var actions: [Action]
    /// Why nothing would be rolled out although the environment is not at the desired revision
    /// (the revision failed and waits for a retry, the manifest is invalid, ...), if so.
    public var blockedBy: String?

    public init(environment: String, desiredRevision: String?, source: String, actions: [Action], blockedBy: String?) {
        self.environment = environment
        self.desiredRevision = desiredRevision
        self.source = source
        self.actions = actions
        self.blockedBy = blockedBy
    }
}
