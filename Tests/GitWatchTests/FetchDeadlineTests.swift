import ClipnetContracts
import Foundation
import GitWatch
import Synchronization
import TestSupport
import Testing

/// A remote that accepts the connection and never answers: the fetch must end by its own deadline,
/// and reads of the mirror must answer while it is stuck.
@Suite struct FetchDeadlineTests {
    @Test func aSilentRemoteFailsTheFetchByItsDeadlineWhileReadsAnswer() async throws {
        let harness = try await GitWatchHarness.make()
        let head = try harness.remote.commit(files: ["deploy/staging.yaml": "version: 7\n"], message: "v7")
        try await harness.mirror.fetch()

        let server = try SilentTCPServer()
        defer { server.stop() }
        // The same mirror folder, now fetching from the silent server.
        let stuck = try await GitMirror.open(
            url: "http://127.0.0.1:\(server.port)/clipnet.git", directory: harness.mirror.directory, runtime: harness.runtime)

        let finished = Flag()
        let fetch = Task {
            defer { finished.set() }
            try await stuck.fetch(timeout: .seconds(3))
        }
        #expect(await eventually(within: .seconds(30)) { server.accepted > 0 })

        // Reads go through the other handle and queue: they answer while the fetch is stuck.
        let id = try await stuck.resolve("develop")
        let file = try await stuck.readFile("deploy/staging.yaml", at: id)
        let branchHead = try await stuck.head(of: "develop")
        #expect(finished.isSet == false, "the reads must not have waited for the fetch")
        #expect(id.hex == head)
        #expect(branchHead?.hex == head)
        #expect(String(decoding: file, as: UTF8.self) == "version: 7\n")

        await #expect {
            try await fetch.value
        } throws: { error in
            (error as? GitError)?.code == .deadlineExceeded
        }
    }

    @Test func aSilentRemoteBehindTLSFailsByTheDeadlineToo() async throws {
        let harness = try await GitWatchHarness.make()
        guard harness.runtime.supportsHTTPS else { return }
        let server = try SilentTCPServer()
        defer { server.stop() }
        // The TLS handshake never gets an answer: TLS runs over the deadline stream as well.
        let stuck = try await GitMirror.open(
            url: "https://127.0.0.1:\(server.port)/clipnet.git", directory: harness.mirror.directory, runtime: harness.runtime)
        await #expect {
            try await stuck.fetch(timeout: .seconds(1))
        } throws: { error in
            (error as? GitError)?.code == .deadlineExceeded
        }
        // It unwound (the socket under TLS was the deadline stream's, shut down at the deadline):
        // the next fetch connects again instead of failing behind a fetch still stuck.
        let reconnected = await eventually(within: .seconds(30)) {
            try? await stuck.fetch(timeout: .milliseconds(300))
            return server.accepted >= 2
        }
        #expect(reconnected)
    }

    @Test func aFetchGivenUpAtItsDeadlineLetsTheNextFetchRun() async throws {
        let harness = try await GitWatchHarness.make()
        let server = try SilentTCPServer()
        defer { server.stop() }
        let stuck = try await GitMirror.open(
            url: "http://127.0.0.1:\(server.port)/clipnet.git", directory: harness.mirror.directory, runtime: harness.runtime)
        await #expect {
            try await stuck.fetch(timeout: .milliseconds(500))
        } throws: { error in
            (error as? GitError)?.code == .deadlineExceeded
        }
        // The fetch given up unwinds on its own (its socket shut down) instead of holding the fetch
        // queue: a later fetch connects again.
        let reconnected = await eventually(within: .seconds(30)) {
            try? await stuck.fetch(timeout: .milliseconds(300))
            return server.accepted >= 2
        }
        #expect(reconnected)
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
