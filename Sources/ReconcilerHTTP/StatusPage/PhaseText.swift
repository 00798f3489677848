/// Rollout phases in the words the page uses, in the order a rollout walks them.
enum PhaseText {
    static let steps: [(phase: String, name: String)] = [
        ("preflight", "preflight"),
        ("syncVariables", "variables"),
        ("deployBackend", "api + worker"),
        ("verifyBackend", "verify"),
        ("deployFrontend", "frontend"),
        ("healthGate", "health gate"),
        ("markKnownGood", "known-good"),
    ]

    static func name(_ phase: String) -> String {
        switch phase {
        case "preflight": "preflight checks"
        case "syncVariables": "syncing variables"
        case "deployBackend": "deploying api and worker"
        case "verifyBackend": "verifying api and worker versions"
        case "deployFrontend": "deploying the frontend"
        case "healthGate": "health gate"
        case "markKnownGood": "recording known-good"
        case "rollingBack": "rolling back to known-good"
        case "succeeded": "succeeded"
        case "failed": "failed"
        case "rolledBack": "rolled back"
        default: phase
        }
    }
}
