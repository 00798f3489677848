/// What started a rollout: shown in status and history, and what notifications will name.
public enum RolloutTrigger: String, Codable, Sendable {
    /// The watched branch moved.
    case push
    /// An operator pinned the revision.
    case pin
    /// An operator rolled back to the revision.
    case rollback
    /// An operator allowed a failed revision again.
    case retry
    /// A GitHub deployment request asked for the revision ("deploy this build").
    case request
    /// Drift healing moved the services back onto the known-good record's deployments.
    case drift
}
