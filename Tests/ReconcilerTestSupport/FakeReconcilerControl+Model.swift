public import ClipnetContracts
public import DriftDetector
public import Foundation
public import GitWatch
public import KnownGoodStore
public import Reconciler

extension FakeReconcilerControl {
    /// Everything the fake daemon knows, in the daemon's own types: the status document is built
    /// from it with the daemon's builder (`StatusDocument(environment:state:watch:...)`), so the
    /// document under test is shaped exactly as the daemon's is.
    public struct Model: Sendable {
        public var environment: String
        public var state: EnvironmentState
        public var watch: WatchStatus
        public var lastPass: PassReport?
        public var services: [StatusDocument.Service]
        public var drift: [Drift]
        public var policies: [DriftKind: DriftPolicy]
        public var leader: Bool
        /// History, oldest first (the control answers newest first).
        public var history: [HistoryEntry]
        public var readiness: Readiness
        /// Commits on the watched branch; `pin` needs `force` for any other known revision.
        public var branchRevisions: Set<String>
        /// Commits that exist in the repository but are not on the branch.
        public var otherRevisions: Set<String>
        /// What `plan()` answers; nil derives one from the services and the desired revision.
        public var plan: PlanDocument?
        /// The worker fleet, the blockage and the unreadable parts, as the daemon reports them.
        public var workers: StatusDocument.Workers?
        public var blockedBy: String?
        public var problems: [String]?
        public var platformRequests: [StatusDocument.PlatformRequests]?
        public var rollbackReadiness: [StatusDocument.RollbackReadiness]?
        public var inventory: [StatusDocument.InventoryItem]?
        public var platformAccess: [PlatformAccess.Entry]?
        public var delivery: DeliverySummary?
        public var notifications: [NotificationChannelStatus]?
        /// What `cleanupPreviewVariables` finds.
        public var previewLeftovers: [PreviewCleanup.Variable] = []
        public var now: @Sendable () -> Date

        var version: UInt64 = 1
        var cachedDocument: StatusDocument?
        var calls: [Call] = []
        var failures: [Operation: any Error] = [:]

        public init(
            environment: String, state: EnvironmentState, watch: WatchStatus, lastPass: PassReport? = nil,
            services: [StatusDocument.Service] = [], drift: [Drift] = [], policies: [DriftKind: DriftPolicy] = [:],
            leader: Bool = true, history: [HistoryEntry] = [],
            readiness: Readiness = Readiness(checks: [.init(name: "leader", ok: true, detail: "this replica leads")]),
            branchRevisions: Set<String> = [], otherRevisions: Set<String> = [], plan: PlanDocument? = nil,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.environment = environment
            self.state = state
            self.watch = watch
            self.lastPass = lastPass
            self.services = services
            self.drift = drift
            self.policies = policies
            self.leader = leader
            self.history = history
            self.readiness = readiness
            self.branchRevisions = branchRevisions
            self.otherRevisions = otherRevisions
            self.plan = plan
            self.now = now
        }

        var desiredRevision: String? { state.pin?.revision ?? watch.head?.hex }

        func buildDocument() -> StatusDocument {
            var document = StatusDocument(
                environment: environment, state: state, watch: watch, lastPass: lastPass, services: services,
                drift: drift, policies: policies, leader: leader)
            document.workers = workers
            document.blockedBy = blockedBy
            document.problems = problems
            document.platformRequests = platformRequests
            document.rollbackReadiness = rollbackReadiness
            document.inventory = inventory
            document.platformAccess = platformAccess
            document.delivery = delivery
            document.notifications = notifications
            return document
        }

        mutating func changed() {
            version += 1
            cachedDocument = nil
        }

        mutating func record(_ entry: HistoryEntry) {
            var entry = entry
            state.historySequence += 1
            entry.sequence = state.historySequence
            history.append(entry)
        }

        func throwIfFailing(_ operation: Operation) throws {
            if let error = failures[operation] { throw error }
        }

        static func require(reason: String) throws {
            if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw OperatorError(.invalidRequest, "a reason is required")
            }
        }

        /// A full id, or a unique prefix of at least 4 characters, of a known commit.
        func resolve(_ revision: String) throws -> String {
            let wanted = revision.lowercased()
            let all = branchRevisions.union(otherRevisions)
            if all.contains(wanted) { return wanted }
            let matches = wanted.count >= 4 ? all.filter { $0.hasPrefix(wanted) } : []
            guard matches.count == 1, let match = matches.first else {
                throw OperatorError(.unknownRevision, "revision '\(revision)' not found in the repository")
            }
            return match
        }

        func defaultPlan() -> PlanDocument {
            let desired = desiredRevision
            var actions: [PlanDocument.Action] = []
            if let desired, services.contains(where: { $0.revision != desired }) {
                actions = [
                    .init(action: "syncVariables", service: nil, detail: "sync variables to railway and vercel (no deploy)"),
                    .init(action: "deploy", service: "api", detail: "deploy api at \(desired)"),
                    .init(action: "deploy", service: "worker", detail: "deploy worker at \(desired)"),
                    .init(action: "verify", service: nil, detail: "api version endpoint and worker heartbeat report \(desired)"),
                    .init(action: "deploy", service: "frontend", detail: "deploy frontend at \(desired)"),
                    .init(action: "alias", service: "frontend", detail: "point the domain at the new deployment"),
                    .init(action: "healthGate", service: nil, detail: "health URLs answer 2xx for the window"),
                    .init(action: "markKnownGood", service: nil, detail: "record \(desired) as known-good"),
                ]
            }
            let blocked = desired.flatMap { state.failure(for: $0) }.map {
                "\($0.revision.prefix(12)) failed: \($0.reason); retry to roll it out again"
            }
            return PlanDocument(
                environment: environment, desiredRevision: desired, source: state.pin == nil ? "branch" : "pin",
                actions: blocked == nil ? actions : [], blockedBy: blocked)
        }
    }
}
