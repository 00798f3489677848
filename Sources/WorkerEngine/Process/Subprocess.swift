import Foundation
import Synchronization

/// Runs a program (ffmpeg) with a timeout, through `posix_spawn`.
///
/// Why not Foundation's `Process`: on Linux it can close a pipe descriptor twice under concurrent
/// use, and the child inherits the worker's blocked signal mask (ServiceLifecycle blocks SIGTERM
/// and SIGINT to route them to the worker), so an ffmpeg started from it could not be stopped by
/// SIGTERM. Here the child gets an empty mask and default dispositions, and runs in its own process
/// group so a timeout kills it together with anything it started.
///
/// A program that cannot be found is a clear, permanent failure; a timeout is transient.
public enum Subprocess {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number when the program was killed.
        public let status: Int32
        /// Standard output and standard error together, the last 64 KiB.
        public let output: String
    }

    /// Output kept per run: ffmpeg's progress lines are long and only the end explains a failure.
    static let outputLimit = 64 << 10

    /// Runs `executable` (a path, or a name looked up in PATH) with `arguments`.
    /// - Throws: `JobFailure.permanent` when the program is missing or cannot start,
    ///   `JobFailure.transient` on timeout, `CancellationError` when the task is cancelled (the
    ///   child is killed in both cases).
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration,
                           environment: [String: String] = Subprocess.minimalEnvironment) async throws -> Result {
        guard let path = resolve(executable) else {
            throw JobFailure.permanent("\(executable) not found (install it or set FFMPEG_PATH)")
        }
        let child = try Child.spawn(path, arguments, environment: environment, name: executable)
        let finished = AsyncStream<Result>.makeStream()
        // waitpid and the pipe read block for as long as the program runs: a thread of their own,
        // never one of the cooperative pool's.
        Thread.detachNewThread {
            finished.continuation.yield(child.collect())
            finished.continuation.finish()
        }
        enum Outcome: Sendable { case finished(Result), timedOut, cancelled }
        let outcome: Outcome? = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { for await result in finished.stream { return .finished(result) }; return .cancelled }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return .cancelled }
                return .timedOut
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
        switch outcome {
        case .finished(let result)?:
            return result
        case .timedOut?, .cancelled?, nil:
            // The collecting thread reaps it once the pipe closes.
            child.killGroup()
            if case .timedOut? = outcome { throw JobFailure.transient("\(executable) timed out after \(timeout)") }
            throw CancellationError()
        }
    }

    /// What a child gets by default: `PATH`, `HOME`, `TMPDIR` and `LANG` of the worker, nothing
    /// else. The worker's environment holds its credentials (Cloudinary, RunPod, the database),
    /// which ffmpeg has no use for.
    public static var minimalEnvironment: [String: String] {
        let all = ProcessInfo.processInfo.environment
        var kept = ["PATH": all["PATH"] ?? "/usr/bin:/bin"]
        for name in ["HOME", "TMPDIR", "LANG"] { kept[name] = all[name] }
        return kept
    }

    /// A path, or the first match in PATH.
    static func resolve(_ executable: String) -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A spawned child and the read end of its output pipe; each descriptor is closed exactly once.
    ///
    /// Signals are sent only while the child is known not to have been reaped (`exited` is set
    /// under the lock before the reaping `waitpid`), so a signal can never reach a process that
    /// reused the pid.
    final class Child: Sendable {
        let pid: pid_t
        private let output: Int32
        private let exited = Mutex(false)

        private init(pid: pid_t, output: Int32) {
            self.pid = pid
            self.output = output
        }

        static func spawn(_ path: String, _ arguments: [String], environment: [String: String], name: String) throws -> Child {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else { throw JobFailure.transient("pipe failed: errno \(errno)") }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            posix_spawn_file_actions_adddup2(&actions, ends[1], 2)

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            // Every signal the parent ignores (SIGPIPE, for one) back to its default action.
            var defaults = sigset_t()
            sigfillset(&defaults)
            sigdelset(&defaults, SIGKILL)
            sigdelset(&defaults, SIGSTOP)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in argv { free(pointer) }
                for pointer in envp { free(pointer) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            close(ends[1])
            guard spawned == 0 else {
                close(ends[0])
                throw JobFailure.permanent("\(name) could not be started: \(String(cString: strerror(spawned)))")
            }
            return Child(pid: pid, output: ends[0])
        }

        /// Reads the output to its end, then reaps the child. Blocks.
        func collect() -> Result {
            var kept: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                kept.append(contentsOf: buffer[0..<count])
                if kept.count > 2 * Subprocess.outputLimit { kept.removeFirst(kept.count - Subprocess.outputLimit) }
            }
            close(output)
            // Wait for the exit without reaping, mark it, then reap.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            exited.withLock { $0 = true }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return Result(status: exit, output: String(decoding: kept.suffix(Subprocess.outputLimit), as: UTF8.self))
        }

        /// SIGKILL to the child's process group (the child and whatever it started).
        func killGroup() {
            exited.withLock { if !$0 { _ = kill(-pid, SIGKILL) } }
        }

        /// Sends `signal` to the child alone, unless it has exited.
        func send(_ signal: Int32) {
            exited.withLock { if !$0 { _ = kill(pid, signal) } }
        }
    }
}
