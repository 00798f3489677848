import ClipnetContracts

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
        RolloutPhase(rawValue: phase)?.words ?? phase
    }
}
