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
            let child = try KillableChild(executable: torture, arguments: ["write", harness.location.stateURL, harness.environment])
            try child.waitForLine("ready")
            // Let it run for a random time (0-20 ms: several writes) before killing it mid-flight.
            usleep(UInt32.random(in: 0...20_000, using: &generator))
            child.killHard()

            let store = try await harness.reopen()
            let state = try await store.load(environment: harness.environment)
            let history = try await store.history(environment: harness.environment, limit: Int.max)
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
