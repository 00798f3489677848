public import Foundation

/// The value of `clipnet:<env>:workers:<id>` (`WorkerKeyspace.heartbeat(worker:)`), refreshed
/// while the worker lives and expiring when it dies. The worker writes it; the reconciler reads it
/// (`Reading`) to verify that a rollout reached the worker; the sandbox writes it for its
/// simulated worker. One definition for all three.
public struct WorkerHeartbeat: Sendable, Hashable, Codable {
    public var workerId: String
    public var environment: String
    /// The commit the build came from (`CLIPNET_VERSION`, else `RAILWAY_GIT_COMMIT_SHA`), or `unknown`.
    public var version: String
    /// ISO-8601 UTC.
    public var startedAt: String
    public var heartbeatAt: String
    public var inFlight: Int
    public var concurrency: Int
    public var jobTypes: [String]
    public var host: String
    public var pid: Int32
    /// The platform deployment this worker runs in (`RAILWAY_DEPLOYMENT_ID`), so the reconciler
    /// can tell the new deployment's workers from the old one's still draining. Absent elsewhere.
    public var deploymentId: String?

    public init(
        workerId: String, environment: String, version: String, startedAt: String, heartbeatAt: String,
        inFlight: Int, concurrency: Int, jobTypes: [String], host: String, pid: Int32,
        deploymentId: String? = ProcessInfo.processInfo.environment["RAILWAY_DEPLOYMENT_ID"].flatMap { $0.isEmpty ? nil : $0 }
    ) {
        self.deploymentId = deploymentId
        self.workerId = workerId
        self.environment = environment
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.inFlight = inFlight
        self.concurrency = concurrency
        self.jobTypes = jobTypes
        self.host = host
        self.pid = pid
    }

    /// The version tag from the variables set at deploy time.
    public static func version(from environment: [String: String]) -> String {
        for name in ["CLIPNET_VERSION", "RAILWAY_GIT_COMMIT_SHA", "SOURCE_COMMIT"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "unknown"
    }

    /// What a reader may rely on: `version` always; the rest is absent in heartbeats of older
    /// workers (before `startedAt` and `deploymentId` were added), so it is optional here.
    public struct Reading: Sendable, Hashable, Decodable {
        public var workerId: String?
        public var version: String
        public var startedAt: String?
        public var heartbeatAt: String?
        public var deploymentId: String?
    }
}

/// The Redis keys of an environment's worker fleet that the reconciler reads too: all under
/// `clipnet:<environment>:`. The worker's queue has more keys (`QueueKeys`), built on these.
public struct WorkerKeyspace: Sendable, Hashable {
    public let environment: String
    public let prefix: String

    public init(environment: String) {
        self.environment = environment
        self.prefix = "clipnet:\(environment):"
    }

    /// The job list producers push to.
    public var queue: String { prefix + "queue" }
    /// The dead-letter sorted set.
    public var dead: String { prefix + "dead" }
    /// Every worker's heartbeat key starts with this.
    public var heartbeatPrefix: String { prefix + "workers:" }
    /// `SCAN` pattern matching every heartbeat.
    public var heartbeatPattern: String { heartbeatPrefix + "*" }
    public func heartbeat(worker: String) -> String { heartbeatPrefix + worker }
}
