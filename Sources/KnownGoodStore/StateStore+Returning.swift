public import ClipnetContracts
import Synchronization

extension StateStore {
    /// `update` for changes that also compute a result (e.g. the rollback target they chose).
    /// The result is the one from the run of `change` that was committed: a backend that re-runs
    /// the closure on conflict overwrites the earlier value.
    public func updateReturning<Result: Sendable>(
        environment: String,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> (Result, [HistoryEntry])
    ) async throws -> (EnvironmentState, Result) {
        let box = Mutex<Result?>(nil)
        let state = try await update(environment: environment) { state in
            let (result, entries) = try change(&state)
            box.withLock { $0 = result }
            return entries
        }
        guard let result = box.withLock({ $0 }) else {
            preconditionFailure("updateReturning: the store committed without running the change")
        }
        return (state, result)
    }
}
