import ClipnetContracts
import Foundation
import KnownGoodStore
import TestSupport
import Testing

/// A writer killed with SIGKILL at any instant must leave a store that reads back consistent.
@Suite struct StoreCrashTests {
    /// Kills per backend: each kill lands at a random instant of a write loop.
    static let kills = 200

    @Test(arguments: StoreBackend.allCases)
    func aWriterKilledAtRandomMomentsAlwaysLeavesAConsistentStore(backend: StoreBackend) async throws {
        let harness = try await backend.makeHarness()
        let torture = ChildProcess.productPath("StoreTorture")
        #expect(FileManager.default.isExecutableFile(atPath: torture), "store-torture is built with the tests: \(torture)")
        var generator = SystemRandomNumberGenerator()
        var lastGeneration: Int64 = 0

        for kill in 0..<Self.kills {
            try await Self.killAWriter(
                torture, ["write", harness.location.stateURL, harness.environment], after: UInt32.random(in: 0...20_000, using: &generator))

            let store = try await harness.reopen()
            let (state, history) = try await Self.settledSnapshot(store, environment: harness.environment)
            try #require(state.generation > lastGeneration, "kill \(kill): the store did not move forward")
            lastGeneration = state.generation

            // Every update wrote exactly one history entry, numbered contiguously, and the newest
            // entry names the current known-good revision.
            #expect(state.historySequence == state.generation, "kill \(kill)")
            #expect(history.map(\.sequence) == Array((1...state.historySequence).reversed()), "kill \(kill)")
            #expect(history.first?.revision == state.knownGood?.revision, "kill \(kill)")
            #expect(state.knownGood?.revision.hasSuffix(String(format: "%016llx", UInt64(state.generation))) == true, "kill \(kill)")
            #expect(state.previousKnownGood.count == min(Int(state.generation) - 1, EnvironmentState.previousKnownGoodLimit), "kill \(kill)")
        }
    }

    /// The state and its history read while no write lands between the two reads. A writer
    /// killed after sending COMMIT to PostgreSQL still has that transaction committed by the
    /// server, possibly between the test's two queries; the snapshot is re-read until the state's
    /// generation is the same before and after reading the history.
    static func settledSnapshot(_ store: any StateStore, environment: String) async throws -> (EnvironmentState, [HistoryEntry]) {
        var state = try await store.load(environment: environment)
        for _ in 0..<50 {
            let history = try await store.history(environment: environment, limit: Int.max)
            let again = try await store.load(environment: environment)
            if again.generation == state.generation { return (state, history) }
            state = again
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the store kept changing after its writer was killed")
        return (state, try await store.history(environment: environment, limit: Int.max))
    }

    /// Starts a writer, lets it run for `microseconds` (several writes) and SIGKILLs it mid-flight,
    /// on a thread of its own: the waits block, and Swift's cooperative pool (two threads on a
    /// 2-core machine) must stay free for the suites running beside this one; blocking both of
    /// its threads for the whole loop stalled every HTTP server of the test process.
    static func killAWriter(_ executable: String, _ arguments: [String], after microseconds: UInt32) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    let child = try KillableChild(executable: executable, arguments: arguments)
                    try child.waitForLine("ready")
                    usleep(microseconds)
                    child.killHard()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension StateStoreLocation {
    /// The URL form the torture child takes on its command line.
    var stateURL: String {
        switch self {
        case .file(let directory): "file:\(directory)"
        case .postgres(let url): url
        }
    }
}
