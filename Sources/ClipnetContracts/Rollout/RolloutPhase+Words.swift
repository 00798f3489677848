extension RolloutPhase {
    /// The phase as people read it: the status page, the CLI and notifications say the same.
    public var words: String {
        switch self {
        case .checkGate: "waiting for CI checks"
        case .syncVariables: "syncing variables"
        case .deployBackend: "deploying api and worker"
        case .verifyBackend: "verifying api and worker versions"
        case .deployFrontend: "deploying the frontend"
        case .healthGate: "health gate"
        case .markKnownGood: "recording known-good"
        case .repointing: "re-pointing to known-good deployments"
        case .verifyRepoint: "verifying the re-point"
        case .rollingBack: "rolling back to known-good"
        case .verifyRollback: "verifying the rollback"
        case .superseded: "superseded"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .rolledBack: "rolled back"
        }
    }
}
