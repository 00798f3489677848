public import ClipnetContracts
import Foundation
public import KnownGoodStore
import Synchronization

/// The state store of the simulation: one environment's record and history in memory, with a
/// leadership epoch. Each daemon writes through a `SimFencedStore` carrying the epoch it was
/// granted; a takeover bumps the epoch, and every later write or leadership proof of the deposed
/// daemon fails with `.notLeader`, as the PostgreSQL fence does.
public final class SimStateStore: Sendable {
    struct Contents {
        var state = EnvironmentState()
        var history: [HistoryEntry] = []
        var epoch = 1
        /// The next leadership proof by the current leader fails after a takeover (a lease lost
        /// in the middle of a pass).
        var takeoverAtNextProof = false
    }

    let contents = Mutex(Contents())

    public init() {}

    public var state: EnvironmentState { contents.withLock { $0.state } }
    public var history: [HistoryEntry] { contents.withLock { $0.history } }
    public var epoch: Int { contents.withLock { $0.epoch } }

    /// Another replica takes over now.
    public func takeOver() { contents.withLock { $0.epoch += 1 } }

    /// Another replica takes over just before the current leader's next leadership proof.
    public func takeOverAtNextProof() { contents.withLock { $0.takeoverAtNextProof = true } }

    public func store(epoch: Int) -> SimFencedStore { SimFencedStore(base: self, epoch: epoch) }

    /// A reader that may not write: `plan` and standbys.
    public var reader: SimFencedStore { SimFencedStore(base: self, epoch: -1) }
}

public struct SimFencedStore: StateStore {
    let base: SimStateStore
    let epoch: Int

    public func load(environment: String) async throws -> EnvironmentState {
        base.state
    }

    @discardableResult
    public func update(
        environment: String, _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try base.contents.withLock { contents in
            guard contents.epoch == epoch else {
                throw StateStoreError(.notLeader, "epoch \(epoch) was deposed (now \(contents.epoch))")
            }
            var state = contents.state
            var entries = try change(&state)
            for index in entries.indices {
                state.historySequence += 1
                entries[index].sequence = state.historySequence
            }
            state.generation += 1
            contents.state = state
            contents.history.append(contentsOf: entries)
            return state
        }
    }

    public func history(environment: String, limit: Int) async throws -> [HistoryEntry] {
        Array(base.history.reversed().prefix(limit))
    }

    public func proveLeadership() async throws {
        try base.contents.withLock { contents in
            if contents.takeoverAtNextProof, contents.epoch == epoch {
                contents.takeoverAtNextProof = false
                contents.epoch += 1
            }
            guard contents.epoch == epoch else {
                throw StateStoreError(.notLeader, "epoch \(epoch) was deposed (now \(contents.epoch))")
            }
        }
    }
}
