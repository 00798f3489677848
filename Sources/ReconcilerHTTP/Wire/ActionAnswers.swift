/// Answer bodies only this server writes (schemas in docs/openapi.yaml); the ones the CLI reads
/// too are in `ClipnetContracts` (`ActionBodies.swift`).
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
