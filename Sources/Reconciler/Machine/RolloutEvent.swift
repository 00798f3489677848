public import ClipnetContracts
import Deployers
public import Foundation
import KnownGoodStore

/// Everything that can move a rollout: a new target, a phase handler's result, a failure. Phase
/// handlers do the I/O and return one of these; only `RolloutMachine` turns it into a change of
/// the record.
public enum RolloutEvent: Sendable, Equatable {
    /// Start moving the environment to a new target (no rollout active, or one just superseded).
    case start(RolloutStart)
    /// An operator's pin (or rollback) wants another revision: stop the rollout in flight.
    case supersede(by: String)
    /// The release gate looked at the revision's CI checks: passed, still pending, or failed.
    case gateChecked(GateCheck)
    /// The manifest's variables are on every service (nothing deployed yet).
    case variablesSynced
    /// A platform returned the id of a deployment this rollout created.
    case deploymentCreated(ServiceName, String)
    /// Both backend deployments are serving; with the platform's timing of their steps.
    case backendReady(platformSteps: [PlatformStep])
    /// One look at whether the services report the rollout's revision.
    case verificationChecked(VerificationCheck)
    /// The domain points at this rollout's frontend deployment; with the platform's timing of its build.
    case frontendAliased(platformSteps: [PlatformStep])
    /// One health check of the health gate.
    case healthChecked(HealthCheck)
    /// The health gate held: record the revision as known-good with its deployments.
    /// With when the revision was authored, when the repository could say: a change's lead time.
    case recordKnownGood(commitAt: Date?)
    /// A re-point or rollback moved `service` onto `deployment` (Railway creates a new one).
    case repointIssued(ServiceName, String)
    /// Every service was moved; verification follows.
    case repointed(detail: String)
    /// The phase failed for good: roll back, or stop.
    case failed(reason: String)
    /// The automatic rollback itself was refused: a person must act.
    case rollbackFailed(reason: String)
    /// A retryable platform error; `limit` consecutive ones fail the phase.
    case transientError(reason: String, limit: Int)
    /// A pass read the platforms without error: the consecutive-error count starts again.
    case progressed

    /// The event's name in the transition table.
    public var kind: RolloutEventKind {
        switch self {
        case .start(let start): start.mode == .build ? .startBuild : .startRepoint
        case .supersede: .supersede
        case .gateChecked: .gateChecked
        case .variablesSynced: .variablesSynced
        case .deploymentCreated: .deploymentCreated
        case .backendReady: .backendReady
        case .verificationChecked: .verificationChecked
        case .frontendAliased: .frontendAliased
        case .healthChecked: .healthChecked
        case .recordKnownGood: .recordKnownGood
        case .repointIssued: .repointIssued
        case .repointed: .repointed
        case .failed: .failed
        case .rollbackFailed: .rollbackFailed
        case .transientError: .transientError
        case .progressed: .progressed
        }
    }
}

/// The names of the events, as the transition table and the documentation show them.
public enum RolloutEventKind: String, Sendable, CaseIterable {
    case startBuild, startRepoint, supersede, gateChecked, variablesSynced, deploymentCreated, backendReady, verificationChecked,
        frontendAliased, healthChecked, recordKnownGood, repointIssued, repointed, failed, rollbackFailed, transientError, progressed
    /// Not a record change: the pass is cancelled and no platform is changed until leadership is
    /// proven again (listed so the table covers it).
    case leadershipLost
}

/// What a pass decided to start, and what it believed when it decided: the machine refuses the
/// start if an operator changed the pin or failed the revision since (the decision is stale).
public struct RolloutStart: Sendable, Equatable {
    public var id: String
    public var revision: String
    public var mode: RolloutMode
    /// A re-point's recorded deployments; empty for a build.
    public var deployments: ServiceDeployments
    /// Where a failed build rolls back to.
    public var rollbackTarget: KnownGoodRecord?
    public var trigger: RolloutTrigger
    /// The pin's revision when the decision was made (nil: none).
    public var pinAtDecision: String?
    /// Words for history: the branch or the pin that asked for it.
    public var source: String
    /// A build that must pass the release gate (its CI checks) before any platform change.
    public var gated = false
    /// The GitHub deployment request standing when the decision was made (nil: none); the
    /// rollout reports on it when it is the request's revision.
    public var requestAtDecision: DeploymentRequest?

    public init(
        id: String, revision: String, mode: RolloutMode, deployments: ServiceDeployments, rollbackTarget: KnownGoodRecord?,
        trigger: RolloutTrigger, pinAtDecision: String?, source: String
    ) {
        self.id = id
        self.revision = revision
        self.mode = mode
        self.deployments = deployments
        self.rollbackTarget = rollbackTarget
        self.trigger = trigger
        self.pinAtDecision = pinAtDecision
        self.source = source
    }
}

/// One verification look (verifyBackend, verifyRepoint, verifyRollback), with the bounds the
/// machine judges it by.
public struct VerificationCheck: Sendable, Equatable {
    public var verified: Bool
    /// What the services reported, for history and status.
    public var detail: String
    /// Observed seconds after which an unconfirmed version fails the phase.
    public var timeoutSeconds: Double
    /// The longest gap between two checks that still counts as observed.
    public var maxGapSeconds: Double

    public init(verified: Bool, detail: String, timeoutSeconds: Double, maxGapSeconds: Double) {
        self.verified = verified
        self.detail = detail
        self.timeoutSeconds = timeoutSeconds
        self.maxGapSeconds = maxGapSeconds
    }
}

/// One health check of the health gate, with the bounds the machine judges it by.
public struct HealthCheck: Sendable, Equatable {
    /// Empty when healthy.
    public var problems: [String]
    /// Seconds of unbroken, observed health that make the revision known-good.
    public var windowSeconds: Double
    /// Consecutive failed checks that fail the gate.
    public var failureThreshold: Int
    public var maxGapSeconds: Double

    public init(problems: [String], windowSeconds: Double, failureThreshold: Int, maxGapSeconds: Double) {
        self.problems = problems
        self.windowSeconds = windowSeconds
        self.failureThreshold = failureThreshold
        self.maxGapSeconds = maxGapSeconds
    }

    public var healthy: Bool { problems.isEmpty }

    /// A gate that flaps (a failure below the threshold, then health, again and again) never
    /// holds for the window; after this much observed time it fails instead of waiting forever.
    public var flappingLimitSeconds: Double { max(windowSeconds * 3, windowSeconds + 300) }
}

/// One look of the release gate at a revision's required checks.
public struct GateCheck: Sendable, Equatable {
    public var verdict: GateVerdict
    /// The required checks as GitHub reported them (what status shows while the rollout waits).
    public var checks: [CommitCheck]

    public init(verdict: GateVerdict, checks: [CommitCheck]) {
        self.verdict = verdict
        self.checks = checks
    }
}
