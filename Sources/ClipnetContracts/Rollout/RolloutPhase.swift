/// The phases of a rollout, in order. Persisted at every boundary so a restarted daemon resumes.
/// Which phase may follow which is decided in one place, the reconciler's `RolloutMachine`.
public enum RolloutPhase: String, Codable, Sendable, CaseIterable {
    /// The release gate: waiting until the revision's required CI checks succeeded (only when a
    /// gate is configured; nothing has changed on any platform yet).
    case checkGate
    case syncVariables
    case deployBackend
    case verifyBackend
    case deployFrontend
    case healthGate
    case markKnownGood
    /// A re-point rollout: moving every platform back to a known-good record's deployments.
    case repointing
    /// A re-point was issued: waiting until the services report the record's revision.
    case verifyRepoint
    case rollingBack
    /// The automatic rollback was issued: waiting until the services report its revision.
    case verifyRollback
    case succeeded
    case failed
    case rolledBack
    /// Replaced by a rollout of a newer desired revision before it finished.
    case superseded

    /// Whether the rollout still has work to do (a restarted daemon continues it).
    public var isActive: Bool {
        switch self {
        case .succeeded, .failed, .rolledBack, .superseded: false
        default: true
        }
    }

    /// Records written before the machine existed may name the removed `preflight` phase, which
    /// never did any platform work: such a rollout resumes at `syncVariables`.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        if raw == "preflight" {
            self = .syncVariables
            return
        }
        guard let phase = RolloutPhase(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown rollout phase '\(raw)'"))
        }
        self = phase
    }
}
