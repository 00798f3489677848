/// What to do about a kind of drift, as the manifest's `drift:` section names it.
public enum DriftPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Re-apply the desired state.
    case heal
    /// Report it (status, metrics, logs) and leave it to a person.
    case report
}
