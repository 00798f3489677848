public import ClipnetContracts

/// Proof of leadership for one environment: the epoch a `LeaderElection` was granted. A store
/// write made with a fence succeeds only while that epoch is still the current one.
public struct LeaderFence: Sendable, Hashable, CustomStringConvertible {
    public let environment: String
    /// Bumped by every new leader; a smaller epoch is a deposed leader's.
    public let epoch: Int64
    /// Who was granted it (host, process and elector instance).
    public let holder: String

    public init(environment: String, epoch: Int64, holder: String) {
        self.environment = environment
        self.epoch = epoch
        self.holder = holder
    }

    public var description: String { "leadership of '\(environment)' epoch \(epoch) held by \(holder)" }
}

/// What a `LeaderElection` reports when this replica's role changes.
public enum LeadershipEvent: Sendable, Hashable {
    /// This replica leads: it may write, with the fence.
    case leader(LeaderFence)
    /// This replica does not lead (never did, or lost it): it must not write.
    case standby
}

/// A `PostgresStateStore` whose every update is fenced: the daemon hands this to the
/// reconcile loop once elected, so a deposed leader's late writes fail with `.notLeader`.
public struct FencedStateStore: StateStore {
    public let base: PostgresStateStore
    public let fence: LeaderFence

    public init(base: PostgresStateStore, fence: LeaderFence) {
        self.base = base
        self.fence = fence
    }

    public func load(environment: String) async throws -> EnvironmentState {
        try await base.load(environment: environment)
    }

    @discardableResult
    public func update(
        environment: String,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try await base.update(environment: environment, fence: fence, change)
    }

    public func history(environment: String, limit: Int) async throws -> [HistoryEntry] {
        try await base.history(environment: environment, limit: limit)
    }

    public func proveLeadership() async throws {
        try await base.verify(fence: fence)
    }
}
