import AsyncPrimitives
import Foundation
import Testing

@testable import WorkerEngine

/// The worker's child processes (ffmpeg): posix_spawn with a clean signal state, timeouts, and
/// clear failures.
@Suite struct SubprocessTests {
    @Test func aChildStartsWithNoBlockedSignalsWhateverTheWorkersThreadBlocks() async throws {
        // The worker's threads may block SIGTERM and SIGINT (the service group handles them);
        // ffmpeg must still be stoppable by them.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        // Blocked, spawned and unblocked on one thread with no suspension in between; the child's
        // output is then awaited, not read on this (cooperative) thread.
        let child = try Self.spawnWithSignalsBlocked(blocked)
        let result = await TestChild(adopting: child).exited()
        #expect(result.status == 0)
        #expect(Self.mask("SigBlk", in: result.output) == 0, "\(result.output)")
        // Signals 1...31 (glibc keeps 32 and 33 for its own threads; they cannot be changed).
        #expect(Self.mask("SigIgn", in: result.output).map { $0 & 0x7fff_ffff } == 0, "\(result.output)")
    }

    static func spawnWithSignalsBlocked(_ blocked: sigset_t) throws -> Spawn.Child {
        var blocked = blocked
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try Subprocess.spawn(
            "/bin/sh", ["-c", "grep -E '^(SigBlk|SigIgn)' /proc/self/status"],
            environment: ["PATH": "/usr/bin:/bin"])
    }

    /// A signal mask line of /proc/<pid>/status (`SigBlk:\t<hex>`).
    static func mask(_ name: String, in status: String) -> UInt64? {
        status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
    }

    @Test func aProgramThatOutlivesItsTimeoutIsKilledAndTheFailureIsTransient() async throws {
        let failure = try await #require(throws: JobFailure.self) {
            try await Subprocess.run("/bin/sh", ["-c", "sleep 60"], timeout: .milliseconds(200))
        }
        #expect(failure.code == .transient)
        #expect(failure.message.contains("timed out"))
    }

    @Test func aMissingProgramIsAPermanentFailureSayingSo() async throws {
        let failure = try await #require(throws: JobFailure.self) {
            try await Subprocess.run("/nonexistent/ffmpeg", [], timeout: .seconds(5))
        }
        #expect(failure.code == .permanent)
        #expect(failure.message.contains("not found"))
    }

    @Test func aChildInheritsNoneOfTheWorkersOtherVariables() async throws {
        // The test process has the servers' URLs (and a worker has its credentials) in its
        // environment; the child sees only PATH, HOME, TMPDIR, LANG and what sh itself sets.
        let result = try await Subprocess.run("/bin/sh", ["-c", "env"], timeout: .seconds(30))
        #expect(result.status == 0)
        let names = Set(result.output.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.contains("PATH"))
        #expect(names.isSubset(of: ["PATH", "HOME", "TMPDIR", "LANG", "PWD", "OLDPWD", "SHLVL", "_"]), "\(names.sorted())")
    }

    @Test func theExitStatusAndOutputComeBack() async throws {
        let result = try await Subprocess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeout: .seconds(30))
        #expect(result.status == 3)
        #expect(result.output.contains("out") && result.output.contains("err"))
    }
}
