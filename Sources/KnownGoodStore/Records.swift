public import ClipnetContracts
public import Foundation

/// The observed clock of a phase that must watch the services for a while (verification, the
/// health window): time counts only between checks that were actually made close enough to each
/// other, so a daemon that was down (or partitioned) for longer than `maxGap` starts the window
/// again instead of counting the time it did not look.
public struct ObservedWindow: Codable, Sendable, Equatable, Hashable {
    /// When the last check of this phase was made.
    public var lastCheckAt: Date?
    /// Seconds observed in this phase (gaps over the bound excluded).
    public var observedSeconds: Double
    /// Seconds of unbroken healthy observation (reset by a failed check or a gap).
    public var healthySeconds: Double
    /// Checks made in this phase.
    public var checks: Int

    public init(lastCheckAt: Date? = nil, observedSeconds: Double = 0, healthySeconds: Double = 0, checks: Int = 0) {
        self.lastCheckAt = lastCheckAt
        self.observedSeconds = observedSeconds
        self.healthySeconds = healthySeconds
        self.checks = checks
    }

    /// The window after one more check at `now`.
    public func adding(checkAt now: Date, healthy: Bool, maxGap: Double) -> ObservedWindow {
        var next = self
        let gap = lastCheckAt.map { now.timeIntervalSince($0) } ?? .infinity
        let counted = gap >= 0 && gap <= maxGap
        if counted { next.observedSeconds += gap }
        if healthy {
            next.healthySeconds = counted ? healthySeconds + gap : 0
        } else {
            next.healthySeconds = 0
        }
        next.lastCheckAt = now
        next.checks += 1
        return next
    }
}

/// The rollout in flight (or the last one, once it reached a terminal phase).
public struct RolloutRecord: Codable, Sendable, Equatable, Hashable {
    /// Stamped into platform metadata so a retried call can find its own deployment.
    public var id: String
    public var revision: String
    public var phase: RolloutPhase
    public var startedAt: Date
    public var updatedAt: Date
    /// Deployment ids created by this rollout so far; a step that has one is never deployed again.
    public var deployments: ServiceDeployments
    public var error: String?
    /// The phase that failed, when `error` is set.
    public var failedPhase: RolloutPhase?
    /// Build or re-point; nil in records written before re-point rollouts existed (a build).
    public var mode: RolloutMode?
    /// When the current phase began: the clock of its deadline (deploy timeout, verification
    /// timeout, health window).
    public var phaseStartedAt: Date?
    /// The known-good record the environment was at when the rollout began: where a failure
    /// rolls back to. Nil for the first rollout, which has nothing to roll back to.
    public var rollbackTarget: KnownGoodRecord?
    /// Consecutive failed health checks in the health gate.
    public var healthFailures: Int?
    /// Consecutive passes that failed with a retryable platform error in this phase; reset by a
    /// pass that reads the platforms without error.
    public var transientFailures: Int?
    /// The deployments a re-point or rollback moved each service to, persisted as the platform
    /// returns them (a Railway rollback creates a new deployment), so a pass after a restart waits
    /// on that deployment instead of asking for another rollback.
    public var repointDeployments: ServiceDeployments?
    /// The observed clock of the current phase (verification and health window).
    public var window: ObservedWindow?
    /// What started the rollout; nil in records written before triggers were kept.
    public var trigger: RolloutTrigger?
    /// Who or what asked for it, in words (`branch develop`, `pin by alice`, the drift healed).
    public var source: String?
    /// For a finished rollback or re-point: what the services reported when it was checked.
    public var verification: String?
    /// Every phase the rollout went through, with when it entered and left it; nil in records
    /// written before timelines were kept.
    public var timeline: [PhaseSpan]?
    /// The required CI checks as the release gate last saw them (`checkGate`): which ones it waits
    /// for, with links; nil without a gate.
    public var gateChecks: [CommitCheck]?
    /// The platforms' own timing of this rollout's deployments (builds, deploys), recorded when
    /// the phase that waited on them moved on; nil when none was read.
    public var platformSteps: [PlatformStep]?
    /// The GitHub deployment request that asked for this rollout's revision: the daemon reports
    /// the rollout on that deployment instead of creating one.
    public var request: DeploymentRequest?

    public init(
        id: String, revision: String, phase: RolloutPhase, startedAt: Date, updatedAt: Date,
        deployments: ServiceDeployments = ServiceDeployments(), error: String? = nil, failedPhase: RolloutPhase? = nil,
        mode: RolloutMode? = nil, phaseStartedAt: Date? = nil, rollbackTarget: KnownGoodRecord? = nil, trigger: RolloutTrigger? = nil
    ) {
        self.trigger = trigger
        self.id = id
        self.revision = revision
        self.phase = phase
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.deployments = deployments
        self.error = error
        self.failedPhase = failedPhase
        self.mode = mode
        self.phaseStartedAt = phaseStartedAt
        self.rollbackTarget = rollbackTarget
    }

    public var isActive: Bool { phase.isActive }

    /// Keeps the steps of each service once: a service's steps read again replace the earlier ones.
    public mutating func recordPlatformSteps(_ steps: [PlatformStep]) {
        guard !steps.isEmpty else { return }
        let services = Set(steps.map(\.service))
        platformSteps = (platformSteps ?? []).filter { !services.contains($0.service) } + steps
    }
}

/// A revision whose rollout failed: not rolled out again until a new commit or an operator retry.
public struct FailedRevision: Codable, Sendable, Equatable, Hashable {
    public var revision: String
    public var at: Date
    public var reason: String
    public var phase: RolloutPhase?

    public init(revision: String, at: Date, reason: String, phase: RolloutPhase?) {
        self.revision = revision
        self.at = at
        self.reason = reason
        self.phase = phase
    }
}

/// Everything the store keeps for one environment, read and written as one unit.
public struct EnvironmentState: Codable, Sendable, Equatable, Hashable {
    /// How many previous known-good records are kept (newest first).
    public static let previousKnownGoodLimit = 20
    /// How many failed revisions are remembered.
    public static let failedRevisionLimit = 50

    public var knownGood: KnownGoodRecord?
    /// Earlier known-good records, newest first, bounded by `previousKnownGoodLimit`.
    public var previousKnownGood: [KnownGoodRecord]
    public var pin: PinRecord?
    public var rollout: RolloutRecord?
    /// Newest first, bounded by `failedRevisionLimit`.
    public var failedRevisions: [FailedRevision]
    /// Bumped by every committed update; lets readers and tests see that a write happened.
    public var generation: Int64
    /// The sequence number of the newest history entry.
    public var historySequence: Int64
    /// Builds of failed or superseded rollouts that could not be cancelled when they were left
    /// (the cancel request failed): tried again by every pass until they are cancelled or have
    /// ended, so none can go live behind a later rollout. Nil in records written before.
    public var orphanedBuilds: [OrphanedBuild]?
    /// The build logs of the last failed deployments (a few rollouts' worth), by rollout: what
    /// status shows under a failed rollout.
    public var failureLogs: [FailureLog]?
    /// How far each notification channel has delivered, and the Slack message of each recent
    /// rollout: kept here so a restart (or a new leader) updates the same message instead of
    /// posting again. Nil until a channel delivered something.
    public var notifications: NotificationLedger?
    /// The revision a GitHub deployment request marked for the environment (`reconciler unmark`
    /// clears it). It ranks under a pin and over a tag's mark. Nil: no request stands.
    public var request: DeploymentRequest?

    public init(
        knownGood: KnownGoodRecord? = nil, previousKnownGood: [KnownGoodRecord] = [], pin: PinRecord? = nil,
        rollout: RolloutRecord? = nil, failedRevisions: [FailedRevision] = [], generation: Int64 = 0,
        historySequence: Int64 = 0
    ) {
        self.knownGood = knownGood
        self.previousKnownGood = previousKnownGood
        self.pin = pin
        self.rollout = rollout
        self.failedRevisions = failedRevisions
        self.generation = generation
        self.historySequence = historySequence
    }
}

extension EnvironmentState {
    /// Makes `record` the known-good record and pushes the current one onto the bounded
    /// previous list. Recording the current revision again only refreshes it.
    public mutating func recordKnownGood(_ record: KnownGoodRecord) {
        if let current = knownGood, current.revision != record.revision {
            previousKnownGood.removeAll { $0.revision == current.revision }
            previousKnownGood.insert(current, at: 0)
        }
        previousKnownGood.removeAll { $0.revision == record.revision }
        if previousKnownGood.count > Self.previousKnownGoodLimit {
            previousKnownGood.removeLast(previousKnownGood.count - Self.previousKnownGoodLimit)
        }
        knownGood = record
    }

    /// Moves the pointer back to an earlier known-good record (newest first if `revision` is nil).
    /// - Returns: the record now current, or nil when there is nothing to move back to.
    @discardableResult
    public mutating func moveKnownGoodBack(to revision: String? = nil) -> KnownGoodRecord? {
        let index: Int?
        if let revision {
            index = previousKnownGood.firstIndex { $0.revision == revision }
        } else {
            index = previousKnownGood.isEmpty ? nil : 0
        }
        guard let index else { return nil }
        let target = previousKnownGood.remove(at: index)
        if let current = knownGood {
            previousKnownGood.insert(current, at: 0)
        }
        knownGood = target
        return target
    }

    /// Every known-good record, current first.
    public var allKnownGood: [KnownGoodRecord] {
        (knownGood.map { [$0] } ?? []) + previousKnownGood
    }

    public mutating func recordFailure(_ failure: FailedRevision) {
        failedRevisions.removeAll { $0.revision == failure.revision }
        failedRevisions.insert(failure, at: 0)
        if failedRevisions.count > Self.failedRevisionLimit {
            failedRevisions.removeLast(failedRevisions.count - Self.failedRevisionLimit)
        }
    }

    public func failure(for revision: String) -> FailedRevision? {
        failedRevisions.first { $0.revision == revision }
    }

    /// The known-good record of `revision`, current or earlier.
    public func knownGoodRecord(for revision: String) -> KnownGoodRecord? {
        allKnownGood.first { $0.revision == revision }
    }

    /// The revision this tool last put the environment at: the last rollout's revision when it
    /// succeeded, its rollback target when it was rolled back. Nil while a rollout is in flight,
    /// before the first rollout, and after a failure that had nothing to roll back to (the
    /// environment is then in an unknown state).
    public var settledRevision: String? {
        guard let rollout else { return nil }
        switch rollout.phase {
        case .succeeded: return rollout.revision
        case .rolledBack: return rollout.rollbackTarget?.revision
        default: return nil
        }
    }
}

/// A build left running by a rollout that failed or was superseded, still to be cancelled.
public struct OrphanedBuild: Codable, Sendable, Equatable, Hashable {
    /// `frontend`, `api` or `worker`.
    public var service: String
    public var deployment: String
    public var rolloutID: String
    public var since: Date

    public init(service: String, deployment: String, rolloutID: String, since: Date) {
        self.service = service
        self.deployment = deployment
        self.rolloutID = rolloutID
        self.since = since
    }
}
