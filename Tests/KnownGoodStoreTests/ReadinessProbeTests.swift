import Foundation
import Synchronization
import TestSupport
import Testing

@testable import KnownGoodStore

/// What `/readyz` asks the store: one bounded attempt, never a retry loop, never a wait on a
/// server that does not answer.
@Suite struct ReadinessProbeTests {
    /// A probe that never ends until released, as a frozen server would.
    final class Frozen: Sendable {
        let released = Mutex(false)
        let calls = Mutex(0)

        func probe() async throws {
            calls.withLock { $0 += 1 }
            while !released.withLock({ $0 }) {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func aProbeThatDoesNotAnswerIsGivenUpAndNotRepeatedMeanwhile() async throws {
        let gate = ProbeGate()
        let frozen = Frozen()
        let first = await #expect(throws: StateStoreError.self) {
            try await gate.run("frozen store", timeout: .milliseconds(200)) { try await frozen.probe() }
        }
        #expect(first?.message.contains("no answer within") == true)
        #expect(first?.code == .unavailable)
        // The abandoned attempt still runs: a second one is refused at once instead of piling up.
        let second = await #expect(throws: StateStoreError.self) {
            try await gate.run("frozen store", timeout: .seconds(600)) { try await frozen.probe() }
        }
        #expect(second?.message.contains("previous readiness probe has not finished") == true)
        #expect(frozen.calls.withLock { $0 } == 1)
        // Once it ends, probing works again.
        frozen.released.withLock { $0 = true }
        _ = await eventually(within: .seconds(30)) {
            (try? await gate.run("store", timeout: .seconds(30)) {}) != nil
        }
        try await gate.run("store", timeout: .seconds(30)) {}
    }

    @Test func postgresIsProbedOnceWithoutRetriesAndRecoversOnTheNextProbe() async throws {
        let url = try TestServices.postgresURL()
        let store = try await PostgresStateStore(url: url, configuration: .init(applicationName: "readiness-probe-test"))
        defer { Task { await store.close() } }
        try await store.probeWritable(environment: "staging", timeout: .seconds(10))
        // The store's session ends under it: the probe reports that at once (the store's own
        // calls would retry with backoff), and the next probe opens a new session.
        #expect(try PSQL.terminateSessions(applicationName: "readiness-probe-test") >= 1)
        await #expect(throws: StateStoreError.self) { try await store.probeWritable(environment: "staging", timeout: .seconds(10)) }
        try await store.probeWritable(environment: "staging", timeout: .seconds(10))
    }
}
