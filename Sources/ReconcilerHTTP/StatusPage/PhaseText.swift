/// Rollout phases in the words the page uses, in the order a rollout walks them.
enum PhaseText {
    static let steps: [(phase: String, name: String)] = [
        ("syncVariables", "variables"),
        ("deployBackend", "api + worker"),
        ("verifyBackend", "verify"),
        ("deployFrontend", "frontend"),
        ("healthGate", "health gate"),
        ("markKnownGood", "known-good"),
    ]

    static func name(_ phase: String) -> String {
        switch phase {
        case "syncVariables": "syncing variables"
        case "deployBackend": "deploying api and worker"
        case "verifyBackend": "verifying api and worker versions"
        case "deployFrontend": "deploying the frontend"
        case "healthGate": "health gate"
        case "markKnownGood": "recording known-good"
        case "repointing": "re-pointing to known-good deployments"
        case "verifyRepoint": "verifying the re-point"
        case "rollingBack": "rolling back to known-good"
        case "verifyRollback": "verifying the rollback"
        case "superseded": "superseded"
        case "succeeded": "succeeded"
        case "failed": "failed"
        case "rolledBack": "rolled back"
        default: phase
        }
    }
}
