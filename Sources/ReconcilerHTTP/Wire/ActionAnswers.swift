import KnownGoodStore

/// Answer bodies of the mutating routes and the webhook (schemas in docs/openapi.yaml).
struct ReconcileAnswer: Encodable, Sendable {
    var requested = "reconcile"
    var retry: Bool
}

struct PinAnswer: Encodable, Sendable {
    var pin: PinRecord
}

struct UnpinAnswer: Encodable, Sendable {
    var unpinned = true
    /// The branch the environment follows again.
    var following: String
}

struct RollbackAnswer: Encodable, Sendable {
    var rolledBackTo: KnownGoodRecord
}

struct HistoryAnswer: Encodable, Sendable {
    var entries: [HistoryEntry]
}

struct HealthAnswer: Encodable, Sendable {
    var status = "ok"
}

struct WebhookAnswer: Encodable, Sendable {
    var event: String
    /// Whether the event made the daemon do anything (a fetch of the watched branch).
    var accepted: Bool
    var ref: String?
    /// For pushes: whether the ref is the watched branch.
    var watchedBranch: Bool?
    var message: String
}
