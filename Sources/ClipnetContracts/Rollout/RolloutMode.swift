/// How a rollout moves the environment.
public enum RolloutMode: String, Codable, Sendable {
    /// Build and deploy the revision (variables, api + worker, verify, frontend, health gate).
    case build
    /// Re-point each platform at a known-good record's deployments: no build.
    case repoint
}
