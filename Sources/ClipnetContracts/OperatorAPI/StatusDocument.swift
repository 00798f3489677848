public import Foundation

/// The `/status` document: the contract on-call engineers, the status page and scripts read
/// (docs/openapi.yaml). Revisions are full 40-hex commit ids (`CommitID`); times are RFC 3339
/// UTC. Fields are optional where the environment may not have them yet (no known-good record
/// before the first rollout, no rollout in flight).
public struct StatusDocument: Codable, Sendable, Equatable {
    public struct Desired: Codable, Sendable, Equatable {
        /// Who decides: an operator's pin, else a marked build (a GitHub deployment request,
        /// else a tag matching `repository.markTags`), else the branch head.
        public enum Source: String, Codable, Sendable { case branch, pin, mark }
        /// Nil until the branch has been fetched once (and nothing is pinned).
        public var revision: String?
        public var source: Source
        public var pin: PinRecord?
        /// Set when the desired revision failed and is held back until a new commit or a retry.
        public var failed: Failure?
        /// The tag that marks `revision` for the environment (a tag matching `repository.markTags`).
        public var mark: String?
        /// The GitHub deployment request that marks a build for the environment, while one stands
        /// (it outranks a tag's mark and a pin outranks it; `reconciler unmark` clears it).
        public var request: DeploymentRequest?

        public init(
            revision: String?, source: Source, pin: PinRecord?, failed: Failure?, mark: String? = nil, request: DeploymentRequest? = nil
        ) {
            self.revision = revision
            self.source = source
            self.pin = pin
            self.failed = failed
            self.mark = mark
            self.request = request
        }

        /// Who decides, from the pin, the request and whether a tag marks a build.
        public static func source(pin: PinRecord?, request: DeploymentRequest?, tagMarked: Bool) -> Source {
            pin != nil ? .pin : request != nil || tagMarked ? .mark : .branch
        }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var at: Date
        public var reason: String
        public var phase: String?

        public init(at: Date, reason: String, phase: String?) {
            self.at = at
            self.reason = reason
            self.phase = phase
        }
    }

    public struct Service: Codable, Sendable, Equatable {
        public var name: String
        public var platform: String
        public var revision: String?
        public var deploymentId: String?
        public var status: String
        public var healthy: Bool?
        /// Where `revision` comes from: the service's own version endpoint or heartbeat, or the
        /// platform's record of the deployed commit when no version endpoint is configured.
        public var revisionSource: String?
        /// What could not be read, or facts for people (live workers and their versions).
        public var detail: String?

        public init(
            name: String, platform: String, revision: String?, deploymentId: String?, status: String, healthy: Bool?,
            revisionSource: String? = nil, detail: String? = nil
        ) {
            self.detail = detail
            self.name = name
            self.platform = platform
            self.revision = revision
            self.deploymentId = deploymentId
            self.status = status
            self.healthy = healthy
            self.revisionSource = revisionSource
        }
    }

    public struct DriftItem: Codable, Sendable, Equatable {
        public var kind: String
        public var service: String?
        public var detail: String
        /// `heal` or `report`, from the manifest's policy for the kind.
        public var policy: String?

        public init(kind: String, service: String?, detail: String, policy: String?) {
            self.kind = kind
            self.service = service
            self.detail = detail
            self.policy = policy
        }
    }

    public struct Rollout: Codable, Sendable, Equatable {
        public var id: String
        public var revision: String
        public var phase: String
        public var startedAt: Date
        public var updatedAt: Date
        public var deployments: ServiceDeployments
        public var error: String?
        /// What started it: push, pin, rollback, retry or drift.
        public var trigger: String?
        /// For a rollback or re-point: what the services reported when it was checked.
        public var verification: String?
        /// The phases so far with their start and end (absent from daemons that predate it).
        public var timeline: [PhaseSpan]?
        /// For a rollout whose build or deployment failed: the last lines of its log, scrubbed.
        public var failureLogs: [FailureLog]?
        /// The platforms' own timing of its deployments' steps (absent until a deploy phase ended).
        public var platformSteps: [PlatformStep]?
        /// The required CI checks as the release gate last saw them (with a gate configured).
        public var gateChecks: [CommitCheck]?

        public init(
            id: String, revision: String, phase: String, startedAt: Date, updatedAt: Date, deployments: ServiceDeployments,
            error: String?, trigger: String?, verification: String?, timeline: [PhaseSpan]? = nil, failureLogs: [FailureLog]? = nil
        ) {
            self.timeline = timeline
            self.failureLogs = failureLogs
            self.id = id
            self.revision = revision
            self.phase = phase
            self.startedAt = startedAt
            self.updatedAt = updatedAt
            self.deployments = deployments
            self.error = error
            self.trigger = trigger
            self.verification = verification
        }

        /// Whether the rollout still has work to do. A phase this client does not know counts
        /// as active (a newer daemon's phase is not a terminal one by default).
        public var isActive: Bool { RolloutPhase(rawValue: phase)?.isActive ?? true }
    }

    public struct LastReconcile: Codable, Sendable, Equatable {
        public var at: Date
        public var result: String
        public var durationMs: Double
        public var step: String?
        public var message: String?
        /// The record's generation the pass started from.
        public var generation: Int64?

        public init(at: Date, result: String, durationMs: Double, step: String?, message: String?, generation: Int64? = nil) {
            self.at = at
            self.result = result
            self.durationMs = durationMs
            self.step = step
            self.message = message
            self.generation = generation
        }
    }

    /// The worker service as its Redis heartbeats show it (absent when not read).
    public struct Workers: Codable, Sendable, Equatable {
        public struct Version: Codable, Sendable, Equatable {
            public var version: String
            public var count: Int

            public init(version: String, count: Int) {
                self.version = version
                self.count = count
            }
        }

        public var live: Int
        public var versions: [Version]
        public var queueDepth: Int
        public var deadJobs: Int

        public init(live: Int, versions: [Version], queueDepth: Int, deadJobs: Int) {
            self.live = live
            self.versions = versions
            self.queueDepth = queueDepth
            self.deadJobs = deadJobs
        }
    }

    /// Requests sent to one platform in the last hour, against the plan's budget.
    public struct PlatformRequests: Codable, Sendable, Equatable {
        public var platform: String
        public var lastHour: Int
        /// The configured budget per hour (`railway.requestsPerHour`), when there is one.
        public var budgetPerHour: Int?
        /// How many times longer than configured polling waits now (1: not stretched).
        public var stretch: Double

        public init(platform: String, lastHour: Int, budgetPerHour: Int?, stretch: Double) {
            self.platform = platform
            self.lastHour = lastHour
            self.budgetPerHour = budgetPerHour
            self.stretch = stretch
        }
    }

    /// Whether the rollback can go back to a known-good record by re-pointing (no rebuild).
    public struct RollbackReadiness: Codable, Sendable, Equatable {
        public var revision: String
        /// `ready`, `expired` or `unknown`, the worst of the record's services.
        public var state: String
        /// When the earliest of its services stops being rollback-ready, where it can be told.
        public var expiresAt: Date?
        /// Per service, what the platform said.
        public var detail: String
        public var checkedAt: Date

        public init(revision: String, state: String, expiresAt: Date?, detail: String, checkedAt: Date) {
            self.revision = revision
            self.state = state
            self.expiresAt = expiresAt
            self.detail = detail
            self.checkedAt = checkedAt
        }
    }

    /// Something the environment needs that the reconciler does not deploy (the worker's
    /// Cloudinary folder), checked on full observations. Information only: it never changes the
    /// verdict or holds a rollout back (the worker itself refuses to start without its folder).
    public struct InventoryItem: Codable, Sendable, Equatable {
        public enum State: String, Codable, Sendable, CaseIterable {
            case exists, missing
            /// The check could not tell (credentials refused, unreachable, a malformed variable).
            case unknown
            /// The worker's variables do not name it: nothing to check.
            case notConfigured
        }

        /// What it is (`cloudinary folder`).
        public var name: String
        /// Which one (`staging_clips/`); never a credential.
        public var target: String?
        /// A `State` raw value; a string so a client that does not know a newer state still reads
        /// the document.
        public var state: String
        public var detail: String?
        public var checkedAt: Date

        public init(name: String, target: String?, state: State, detail: String?, checkedAt: Date) {
            self.name = name
            self.target = target
            self.state = state.rawValue
            self.detail = detail
            self.checkedAt = checkedAt
        }

        /// Whether on-call should look: missing, or not known to exist.
        public var needsAttention: Bool { state == State.missing.rawValue || state == State.unknown.rawValue }
    }

    public struct Git: Codable, Sendable, Equatable {
        public var head: String?
        public var lastFetchAt: Date?
        public var lastError: String?

        public init(head: String?, lastFetchAt: Date?, lastError: String?) {
            self.head = head
            self.lastFetchAt = lastFetchAt
            self.lastError = lastError
        }
    }

    /// Whether a platform accepts the daemon's token, learned with one cheap authenticated read
    /// of the project (never the token itself).
    public struct PlatformAccessEntry: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable, Equatable {
            /// Not asked yet (no pass has had a manifest).
            case unchecked
            /// The platform answered the read.
            case verified
            /// The token is missing from the daemon's environment.
            case missing
            /// The platform refused the token or does not show it the project (401, 403, 404).
            case refused
            /// The platform could not be asked (network, 5xx, rate limit); asked again next pass.
            case unreachable
        }

        public var platform: Platform
        /// The environment variable the token comes from (never the token).
        public var tokenEnv: String
        public var state: State
        public var detail: String?
        public var checkedAt: Date?

        public init(platform: Platform, tokenEnv: String, state: State, detail: String? = nil, checkedAt: Date? = nil) {
            self.platform = platform
            self.tokenEnv = tokenEnv
            self.state = state
            self.detail = detail
            self.checkedAt = checkedAt
        }
    }

    public var environment: String
    public var branch: String
    public var desired: Desired
    public var knownGood: KnownGoodRecord?
    public var services: [Service]
    public var drift: [DriftItem]
    public var rollout: Rollout?
    public var lastReconcile: LastReconcile?
    public var git: Git
    /// Whether this replica is the active one (always true with the file store).
    public var leader: Bool
    public var workers: Workers?
    /// Why the desired revision is not being rolled out, when it is not (failed and held back,
    /// manifest refused, branch not fetched yet).
    public var blockedBy: String?
    /// What the last pass could not read from the platforms or services.
    public var problems: [String]?
    /// The record's generation as this document shows it; bumped by every committed change.
    /// An operator action is reflected once `lastReconcile.generation` reaches the value read
    /// right after it (what `--wait` waits for).
    public var stateGeneration: Int64?
    /// Requests per platform in the last hour and the budget (absent before the first pass).
    public var platformRequests: [PlatformRequests]?
    /// The known-good records a rollback may go back to, newest first, with their readiness.
    public var rollbackReadiness: [RollbackReadiness]?
    /// Whether each platform accepts the daemon's token (absent until the daemon has looked).
    public var platformAccess: [PlatformAccessEntry]?
    /// What the last full observation found of the environment's other resources (absent before
    /// it).
    public var inventory: [InventoryItem]?
    /// Deployment frequency, lead time, change failure rate and time to restore over the last
    /// 7 and 30 days, from the history (absent until the daemon has read it).
    public var delivery: DeliverySummary?
    /// The notification channels and whether they deliver (absent when none is configured).
    public var notifications: [NotificationChannelStatus]?

    public init(
        environment: String, branch: String, desired: Desired, knownGood: KnownGoodRecord?, services: [Service], drift: [DriftItem],
        rollout: Rollout?, lastReconcile: LastReconcile?, git: Git, leader: Bool
    ) {
        self.environment = environment
        self.branch = branch
        self.desired = desired
        self.knownGood = knownGood
        self.services = services
        self.drift = drift
        self.rollout = rollout
        self.lastReconcile = lastReconcile
        self.git = git
        self.leader = leader
    }
}

extension StatusDocument {
    /// The JSON encoding every consumer sees (`ContractJSON`), so a record reads the same in
    /// `/status` and on disk.
    public static func encoder() -> JSONEncoder { ContractJSON.encoder() }

    public static func decoder() -> JSONDecoder { ContractJSON.decoder() }
}
