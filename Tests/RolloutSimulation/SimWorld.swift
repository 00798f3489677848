public import ClipnetContracts
import ClipnetFormats
public import Deployers
public import Foundation
import Synchronization

/// What a commit does when it is deployed: the simulation's way of writing bad releases.
public enum CommitFate: String, Sendable, CaseIterable {
    case good
    /// The API's build fails.
    case buildFails
    /// The frontend's build fails.
    case frontendBuildFails
    /// Deploys, then the API's health URL fails while it serves.
    case healthFails
    /// Deploys, then the worker crashes half a minute later.
    case crashAfterDeploy
    /// Its CI check fails (held back at the release gate, where the gate is on).
    case checksFail
}

/// A platform fault, aimed at the next call of one operation on one service (so concurrent
/// reads in one pass cannot race for it, and a seed replays exactly).
public struct SimFault: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// 429 with a Retry-After.
        case rateLimited
        /// 5xx after the client's own retries.
        case serverError
        /// The change is made but the answer is lost (a timeout after the platform acted).
        case lostResponse
        /// The next build of the service never finishes.
        case hang
    }

    public var kind: Kind
    public var operation: String
    public var service: ServiceName

    public init(kind: Kind, operation: String, service: ServiceName) {
        self.kind = kind
        self.operation = operation
        self.service = service
    }

    public var description: String { "\(kind.rawValue)(\(operation) \(service))" }
}

/// Vercel and Railway as the simulation sees them: deployments that build, serve, crash and get
/// replaced on a virtual clock, the alias, variables, and every change request logged with the
/// leadership epoch of the daemon that sent it.
public final class SimWorld: Sendable {
    public struct Deployment: Sendable {
        public var id: String
        public var service: ServiceName
        public var revision: String
        public var status: DeploymentStatus
        public var createdAt: Date
        public var readyAt: Date?
        public var rolloutID: String?
        public var isRollback: Bool
        public var hung: Bool
        public var removedAt: Date?
    }

    public struct Mutation: Sendable {
        public var operation: String
        public var service: ServiceName
        public var callerEpoch: Int
        public var storeEpoch: Int
    }

    struct Contents {
        var deployments: [Deployment] = []
        var alias: String?
        var variables: [ServiceName: [String: String]] = [:]
        var faults: [SimFault] = []
        var mutations: [Mutation] = []
        /// Build deployments created per rollout and service (the "never deployed twice" check).
        var builds: [String: Int] = [:]
        var violations: [String] = []
        /// Frontend builds the alias has pointed at (the "alias only after the backend" check
        /// applies to a build's first aliasing).
        var aliasedBefore: Set<String> = []
        var sequence = 0
        var versionReport: String?
    }

    let contents = Mutex(Contents())
    let clock: SimClock
    let fates: @Sendable (String) -> CommitFate
    /// The revision is marked failed in the store right now (checked when a build is created).
    let isFailed: @Sendable (String) -> Bool
    let storeEpoch: @Sendable () -> Int
    /// Whether worker heartbeats name their deployment (both kinds exist in the field).
    public let heartbeatsNameDeployment: Bool
    /// Whether a finished frontend build stays off the domain (Vercel's staged production build),
    /// so the daemon starts it beside the backend's.
    public let frontendBuildsStayOffDomains: Bool
    /// The Railway project's services and environment, as the manifest names them.
    let topology: [PlatformTopology.Resource]
    let environmentID: String

    public init(
        clock: SimClock, heartbeatsNameDeployment: Bool, frontendBuildsStayOffDomains: Bool = false, topology: [PlatformTopology.Resource],
        environmentID: String,
        fates: @escaping @Sendable (String) -> CommitFate, isFailed: @escaping @Sendable (String) -> Bool,
        storeEpoch: @escaping @Sendable () -> Int
    ) {
        self.clock = clock
        self.topology = topology
        self.environmentID = environmentID
        self.heartbeatsNameDeployment = heartbeatsNameDeployment
        self.frontendBuildsStayOffDomains = frontendBuildsStayOffDomains
        self.fates = fates
        self.isFailed = isFailed
        self.storeEpoch = storeEpoch
    }

    public var mutationCount: Int { contents.withLock { $0.mutations.count } }
    public var violations: [String] { contents.withLock { $0.violations } }
    public var deployments: [Deployment] { contents.withLock { Self.advanced($0, now: clock.now, fates: fates).deployments } }

    public func inject(_ fault: SimFault) { contents.withLock { $0.faults.append(fault) } }

    /// Makes the API's version endpoint report `revision` whatever it serves (a stuck cache, a
    /// proxy in front of the old deployment); nil restores the truth.
    public func pinVersionReport(_ revision: String?) { contents.withLock { $0.versionReport = revision } }

    /// Adds a variable nobody declared to `service` (someone set it by hand).
    public func setExtraVariable(_ key: String, on service: ServiceName) {
        contents.withLock { $0.variables[service, default: [:]][key] = VariableHash.sha256("by hand") }
    }

    /// The change requests sent so far, in order.
    public var mutations: [Mutation] { contents.withLock { $0.mutations } }
    public func clearFaults() { contents.withLock { $0.faults.removeAll() } }

    /// Hung builds stay hung until the reconciler cancels them; the end of a run lets them go so
    /// the environment can settle.
    public func releaseHungBuilds() {
        contents.withLock { contents in
            for index in contents.deployments.indices where contents.deployments[index].hung {
                contents.deployments[index].hung = false
            }
        }
    }

    // MARK: - Time

    static let buildSeconds: Double = 90
    static let rollbackSeconds: Double = 20
    static let crashAfterSeconds: Double = 30

    /// Moves every deployment along to `now`: builds finish (or fail), Railway replaces the
    /// previous deployment of a service when a new one starts serving, crashes happen.
    static func advanced(_ contents: Contents, now: Date, fates: (String) -> CommitFate) -> Contents {
        var contents = contents
        // Deployments are appended as they are created: already in creation order.
        for index in contents.deployments.indices {
            var deployment = contents.deployments[index]
            let fate = fates(deployment.revision)
            if !deployment.status.isTerminal, !deployment.hung {
                let duration = deployment.isRollback ? rollbackSeconds : buildSeconds
                let done = deployment.createdAt.addingTimeInterval(duration)
                if now >= done {
                    let fails =
                        !deployment.isRollback
                        && ((fate == .buildFails && deployment.service == .api) || (fate == .frontendBuildFails && deployment.service == .frontend))
                    deployment.status = fails ? .failed : .ready
                    deployment.readyAt = done
                    if !fails, deployment.service != .frontend {
                        for other in contents.deployments.indices where other != index {
                            if contents.deployments[other].service == deployment.service, contents.deployments[other].status == .ready,
                                contents.deployments[other].createdAt < deployment.createdAt
                            {
                                contents.deployments[other].status = .removed
                                contents.deployments[other].removedAt = done
                            }
                        }
                    }
                }
            }
            if deployment.status == .ready, deployment.service == .worker, fate == .crashAfterDeploy,
                let ready = deployment.readyAt, now >= ready.addingTimeInterval(crashAfterSeconds)
            {
                deployment.status = .crashed
            }
            contents.deployments[index] = deployment
        }
        return contents
    }

    /// Runs `body` on the state as of now, after popping a fault aimed at this call if any.
    func call<T>(
        _ operation: String, _ service: ServiceName, callerEpoch: Int, mutates: Bool,
        _ body: (inout Contents, Date) throws -> T
    ) throws -> T {
        let now = clock.now
        return try contents.withLock { contents in
            contents = Self.advanced(contents, now: now, fates: fates)
            var lost = false
            if let index = contents.faults.firstIndex(where: { $0.operation == operation && $0.service == service && $0.kind != .hang }) {
                let fault = contents.faults.remove(at: index)
                switch fault.kind {
                case .rateLimited:
                    throw DeployerError(
                        .rateLimited, "429 Too Many Requests (Retry-After: 30)", isRetryable: false, operation: operation, httpStatus: 429)
                case .serverError:
                    throw DeployerError(
                        .retriesExhausted, "503 Service Unavailable after 3 attempts", isRetryable: true, operation: operation, httpStatus: 503)
                case .lostResponse:
                    lost = true
                case .hang:
                    break
                }
            }
            if mutates {
                let epoch = storeEpoch()
                contents.mutations.append(Mutation(operation: operation, service: service, callerEpoch: callerEpoch, storeEpoch: epoch))
                if callerEpoch != epoch {
                    contents.violations.append("a daemon of epoch \(callerEpoch) sent \(operation) \(service) while epoch \(epoch) leads")
                }
            }
            let result = try body(&contents, now)
            if lost {
                throw DeployerError(.transport, "the connection was reset before the answer arrived", isRetryable: true, operation: operation)
            }
            return result
        }
    }

    func nextID(_ contents: inout Contents, _ service: ServiceName) -> String {
        contents.sequence += 1
        return "\(service == .frontend ? "dpl" : "dep")_\(contents.sequence)"
    }

    // MARK: - What serves

    /// Railway: the newest deployment that serves, else the newest; Vercel: the alias target.
    static func serving(_ contents: Contents, _ service: ServiceName) -> Deployment? {
        if service == .frontend {
            return contents.alias.flatMap { id in contents.deployments.first { $0.id == id } }
        }
        let mine = contents.deployments.filter { $0.service == service }
        return mine.last { $0.status == .ready } ?? mine.last
    }

    public func servingRevision(_ service: ServiceName) -> String? {
        contents.withLock { Self.serving(Self.advanced($0, now: clock.now, fates: fates), service) }.flatMap {
            $0.status == .ready ? $0.revision : nil
        }
    }

    public func deployment(_ id: String) -> Deployment? {
        contents.withLock { Self.advanced($0, now: clock.now, fates: fates).deployments.first { $0.id == id } }
    }

    /// Whether every deployment has stopped changing (nothing building or starting). A hung build
    /// the reconciler could not cancel (its cancel failed, or its id was never returned) never
    /// finishes, so it can never go live: it does not count.
    public var quiet: Bool {
        contents.withLock { Self.advanced($0, now: clock.now, fates: fates).deployments.allSatisfy { $0.status.isTerminal || $0.hung } }
    }

    func observed(_ deployment: Deployment) -> ObservedDeployment {
        ObservedDeployment(
            id: DeploymentID(deployment.id), service: deployment.service, platform: deployment.service.platform,
            commitSha: deployment.revision, image: nil, status: deployment.status, rawStatus: deployment.status.rawValue.uppercased(),
            url: nil, createdAt: deployment.createdAt, rolloutID: deployment.rolloutID)
    }
}
