import AsyncPrimitives
import Foundation
import Testing

/// The one way the project starts programs: a child's signal state does not depend on the thread
/// that starts it, and no child outlives its handle. Bounds are guards against a hang, never
/// timing assertions.
@Suite struct SpawnTests {
    @Test func aChildSpawnedFromAThreadThatBlocksEverySignalStillDiesOfSIGTERM() async throws {
        // What dispatch's threads (and so Foundation's `Process`) do: every signal blocked.
        let child = try await Self.onThreadBlockingEverySignal {
            try Spawn.Child("sleep", ["60"], environment: ["PATH": "/usr/bin:/bin"])
        }
        #expect(Self.statusLine("SigBlk", of: child.pid).flatMap { UInt64($0, radix: 16) } == 0)
        child.terminate()
        let ended = await Self.ended(child, within: .seconds(60))
        #expect(ended == .signalled(SIGTERM))
    }

    @Test func aHandleReleasedWhileItsChildRunsKillsAndReapsIt() async throws {
        var child: Spawn.Child? = try Spawn.Child("sleep", ["60"], environment: ["PATH": "/usr/bin:/bin"])
        let pid = try #require(child?.pid)
        #expect(Self.exists(pid))
        child = nil
        // Neither running nor a zombie: the handle reaped it before it went.
        #expect(!Self.exists(pid))
    }

    @Test func terminatingAGroupLeaderReachesWhatItStarted() async throws {
        let child = try Spawn.Child(
            "/bin/sh", ["-c", "sleep 60 & echo $!; wait"], environment: ["PATH": "/usr/bin:/bin"],
            output: .pipe, ownProcessGroup: true)
        let line = try await OffPool.run { () throws -> String in
            var bytes: [UInt8] = []
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = child.read(.output)
                guard !chunk.isEmpty else { throw Spawn.Failure(description: "sh ended without printing") }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let grandchild = try #require(pid_t(line.trimmingCharacters(in: .whitespacesAndNewlines)))
        child.terminate()
        #expect(await Self.ended(child, within: .seconds(60)) != nil)
        // `sleep` was re-parented away from the test process: it is gone once nothing lists it.
        var gone = false
        for _ in 0..<500 where !gone {
            gone = Self.statusLine("State", of: grandchild).map { $0.hasPrefix("Z") } ?? true
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone)
    }

    @Test func runToCompletionReturnsTheStatusAndBothStreams() async throws {
        let result = try await Spawn.run("sh", ["-c", "echo out; echo err >&2; exit 3"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test func aChildReadsWhatIsWrittenToItsPipedInput() async throws {
        let child = try Spawn.Child("cat", [], environment: ["PATH": "/usr/bin:/bin"], input: .pipe, output: .pipe)
        try child.write(Array("hello\n".utf8))
        child.closeInput()
        let output = await OffPool.run { child.readToEnd(.output) }
        #expect(String(decoding: output, as: UTF8.self) == "hello\n")
        #expect(await child.wait() == .exited(0))
    }

    @Test func aMissingProgramIsAFailureNamingIt() throws {
        let failure = try #require(throws: Spawn.Failure.self) {
            try Spawn.Child("no-such-program-anywhere", [], environment: ["PATH": "/usr/bin:/bin"])
        }
        #expect(failure.description.contains("no-such-program-anywhere"))
    }

    /// Runs `body` on a new thread whose signal mask blocks every signal.
    static func onThreadBlockingEverySignal<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await OffPool.run {
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_SETMASK, &all, nil)
            return try body()
        }
    }

    /// How `child` ended, or nil (after killing it) if it still ran after `limit`.
    static func ended(_ child: Spawn.Child, within limit: Duration) async -> Spawn.Termination? {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if let termination = child.termination { return termination }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // One last look: on a loaded machine this task may first run again after the deadline,
        // with the child long gone (a CI run failed that way with every other suite beside it).
        if let termination = child.termination { return termination }
        child.kill()
        return nil
    }

    /// Whether a process with this pid exists (running or a zombie).
    static func exists(_ pid: pid_t) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/\(pid)")
    }

    /// The value of a line of /proc/<pid>/status (`SigBlk:\t<hex>`), or nil if there is no such process.
    static func statusLine(_ name: String, of pid: pid_t) -> String? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
            .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
    }
}
