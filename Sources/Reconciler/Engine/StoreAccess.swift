import ClipnetContracts
import KnownGoodStore

/// Store calls from a pass, with the store's errors turned into what they mean for the pass: a
/// deposed leader must stop (stalled), an unreachable store is retried (transient), a corrupt
/// document needs a person (stalled). A stale machine event (an operator acted while the pass
/// ran) changes nothing and asks for another pass at once.
enum StoreAccess {
    static func load(_ store: any StateStore, _ environment: String) async throws -> EnvironmentState {
        do {
            return try await store.load(environment: environment)
        } catch {
            throw mapped(error)
        }
    }

    static func update(
        _ store: any StateStore, _ environment: String, _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        do {
            return try await store.update(environment: environment, change)
        } catch {
            throw mapped(error)
        }
    }

    static func mapped(_ error: any Error) -> any Error {
        if let error = error as? RolloutMachineError {
            switch error.code {
            case .stale: return ReconcileError.waiting(.staleDecision, retryAfter: .zero, error.message)
            case .illegalTransition: return ReconcileError.stalled(.unexpected, error.description)
            }
        }
        guard let error = error as? StateStoreError else { return error }
        switch error.code {
        case .notLeader: return ReconcileError.stalled(.notLeader, "this replica no longer leads: \(error.message)")
        case .unavailable: return ReconcileError.transient(.storeUnavailable, error.description)
        case .corrupt, .invalidConfiguration, .locked: return ReconcileError.stalled(.storeUnavailable, error.description)
        }
    }
}
