public import Foundation

/// One notification, as the generic webhook channel posts it (JSON, signed) and as the Slack
/// channel renders it. The schema is a contract with whoever receives the webhook:
/// docs/notifications.md describes every field; fields are only ever added.
///
/// Why one event type for every channel: the planner decides *what* happened once, from the
/// store; a channel only decides how it looks. Rollout events share `rollout.id`, which is how
/// Slack keeps one message per rollout and a webhook receiver can do the same.
public struct NotificationEvent: Codable, Sendable, Equatable {
    /// What happened. The raw values are the webhook's `type` field and its `X-Clipnet-Event` header.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A rollout began (a new revision, a pin, a rollback's re-point, drift healing).
        case rolloutStarted = "rollout.started"
        /// A rollout in flight entered a new phase.
        case rolloutProgressed = "rollout.progressed"
        /// The revision was verified, held healthy and recorded known-good.
        case rolloutSucceeded = "rollout.succeeded"
        /// The rollout failed (a rollback follows when there is a known-good revision to go to).
        case rolloutFailed = "rollout.failed"
        /// The automatic rollback after a failure finished: the known-good revision serves again.
        case rolloutRolledBack = "rollout.rolled_back"
        /// A newer desired revision replaced the rollout before it finished.
        case rolloutSuperseded = "rollout.superseded"
        /// A re-point to a known-good record's deployments finished (no build).
        case rolloutRepointed = "rollout.repointed"
        /// An operator pinned a revision.
        case pinned = "operator.pinned"
        /// An operator removed the pin.
        case unpinned = "operator.unpinned"
        /// An operator allowed a failed revision to roll out again.
        case retried = "operator.retried"
        /// An operator rolled the environment back.
        case operatorRollback = "operator.rolled_back"
        /// An operator promoted a known-good revision to the next environment.
        case promoted = "operator.promoted"
        /// A GitHub deployment request marked a build for the environment.
        case requested = "mark.requested"
        /// An operator cleared the deployment request's mark.
        case unmarked = "mark.cleared"
        /// Drift was healed (re-applied or re-pointed).
        case driftHealed = "drift.healed"
        /// Drift that is only reported (by policy, or that re-applying cannot remove) appeared or changed.
        case driftReported = "drift.reported"
        /// The reported drift is gone.
        case driftCleared = "drift.cleared"
        /// Passes stopped: a person must act (a refused manifest, a failed rollback, a missing token).
        case stalled = "reconciler.stalled"
        /// Passes run again after a stall.
        case recovered = "reconciler.recovered"

        /// Whether the event belongs to a rollout (and so to its one Slack message).
        public var isRollout: Bool { rawValue.hasPrefix("rollout.") }
    }

    /// The commit a revision is, as people recognise it.
    public struct Commit: Codable, Sendable, Equatable {
        public var short: String
        public var subject: String?
        public var author: String?

        public init(short: String, subject: String?, author: String?) {
            self.short = short
            self.subject = subject
            self.author = author
        }
    }

    /// The rollout an event belongs to, as it stands when the event is sent.
    public struct Rollout: Codable, Sendable, Equatable {
        public var id: String
        /// The revision the rollout set out to deploy (the event's `revision` may differ: where a
        /// rollback went).
        public var revision: String?
        /// `RolloutPhase`'s raw value.
        public var phase: String
        /// `build` or `repoint`.
        public var mode: String?
        /// `RolloutTrigger`'s raw value: push, pin, rollback, retry, drift.
        public var trigger: String?
        /// Who or what asked for it, in words (`branch develop`, `pin by alice`).
        public var source: String?
        public var startedAt: Date
        /// Seconds from `startedAt` to the event.
        public var elapsedSeconds: Double
        public var error: String?
        public var failedPhase: String?
        /// Where a failure rolls back to (short id).
        public var rollbackTarget: String?
        public var timeline: [PhaseSpan]
        /// The platforms' own timing of the rollout's deployments (builds, deploys).
        public var platformSteps: [PlatformStep] = []
        /// The GitHub deployment whose request started the rollout ("deploy this build"); the
        /// rollout is reported on it rather than on a deployment of its own.
        public var requestDeployment: Int64?

        public init(
            id: String, revision: String? = nil, phase: String, mode: String?, trigger: String?, source: String?, startedAt: Date,
            elapsedSeconds: Double,
            error: String?, failedPhase: String?, rollbackTarget: String?, timeline: [PhaseSpan]
        ) {
            self.id = id
            self.revision = revision
            self.phase = phase
            self.mode = mode
            self.trigger = trigger
            self.source = source
            self.startedAt = startedAt
            self.elapsedSeconds = elapsedSeconds
            self.error = error
            self.failedPhase = failedPhase
            self.rollbackTarget = rollbackTarget
            self.timeline = timeline
        }
    }

    public struct Link: Codable, Sendable, Equatable {
        /// What it opens: `status`, `commit`, `compare`, or a service name (its platform dashboard).
        public var name: String
        public var url: String

        public init(name: String, url: String) {
            self.name = name
            self.url = url
        }
    }

    /// The first lines of a failed build's log (scrubbed when they were captured).
    public struct LogExcerpt: Codable, Sendable, Equatable {
        public var service: ServiceName
        public var deployment: String
        public var status: String
        public var lines: [String]
        public var link: String?

        public init(service: ServiceName, deployment: String, status: String, lines: [String], link: String?) {
            self.service = service
            self.deployment = deployment
            self.status = status
            self.lines = lines
            self.link = link
        }
    }

    /// Stable for the same happening, so a receiver drops a redelivery: delivery is at-least-once.
    public var id: String
    public var type: Kind
    public var environment: String
    public var at: Date
    public var revision: String?
    public var commit: Commit?
    public var rollout: Rollout?
    /// Who acted (an operator's name, or `reconciler`).
    public var actor: String?
    public var reason: String?
    public var detail: String?
    public var links: [Link]
    public var failureLogs: [LogExcerpt]

    public init(
        id: String, type: Kind, environment: String, at: Date, revision: String? = nil, commit: Commit? = nil, rollout: Rollout? = nil,
        actor: String? = nil, reason: String? = nil, detail: String? = nil, links: [Link] = [], failureLogs: [LogExcerpt] = []
    ) {
        self.id = id
        self.type = type
        self.environment = environment
        self.at = at
        self.revision = revision
        self.commit = commit
        self.rollout = rollout
        self.actor = actor
        self.reason = reason
        self.detail = detail
        self.links = links
        self.failureLogs = failureLogs
    }
}
