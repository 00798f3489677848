public import Foundation
import Synchronization

/// The project's one way to start a program: `posix_spawn`, with the child's signal state reset
/// and descriptors that this code opens and closes exactly once. Two shapes: `run`/`runBlocking`
/// (to completion, both output streams collected) and `Child` (a handle on a long-running child).
///
/// Why not Foundation's `Process`: a child inherits the signal mask of the thread that starts it,
/// and dispatch's threads block every signal, as ServiceLifecycle's signal handling blocks SIGTERM
/// and SIGINT. A `redis-server` started from one could not be stopped by SIGTERM, so the demo hung
/// on shutdown. `Process` also can close a pipe descriptor twice when many processes are started
/// concurrently (swiftlang/swift#57827), and the second close hits whatever the number was reused
/// for meanwhile. Here every child starts with an empty mask, every signal at its default action,
/// standard input from /dev/null unless asked otherwise, and no descriptor of ours beyond 0-2.
public enum Spawn {
    public struct Result: Sendable, CustomStringConvertible {
        /// The exit status, or 128 + the signal number when the program was killed.
        public let status: Int32
        public let stdout: String
        public let stderr: String

        public var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        /// Exited with this code (-1 when something other than `Child` reaped it, so the code is lost).
        case exited(Int32)
        /// Killed by this signal.
        case signalled(Int32)

        /// The shell's convention: the exit code, or 128 + the signal number.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// Where a child's standard input comes from.
    public enum Input: Sendable {
        case null
        case file(String)
        /// A pipe that `Child.write(_:)` feeds and `Child.closeInput()` ends.
        case pipe
    }

    /// Where a child's standard output or standard error goes.
    public enum Output: Sendable {
        case inherit
        case null
        /// Created (readable by this user only) or truncated.
        case file(String)
        /// A pipe that `Child.read(_:)` drains.
        case pipe
        /// Standard error only: wherever standard output goes (`2>&1`).
        case standardOutput
    }

    /// Runs `executable` (a path, or a name looked up in the child's PATH) with `arguments`;
    /// `environment` replaces the child's whole environment. Blocks the calling thread: use
    /// `run(_:_:environment:input:) async` from tasks.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String],
        input: Input = .null
    ) throws -> Result {
        let child = try Child(executable, arguments, environment: environment, input: input, output: .pipe, errors: .pipe)
        // Standard error is drained on its own thread so that neither pipe can fill and block the child.
        let errors = Mutex<[UInt8]>([])
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let bytes = child.readToEnd(.errors)
            errors.withLock { $0 = bytes }
            drained.signal()
        }
        let output = child.readToEnd(.output)
        drained.wait()
        let termination = child.waitBlocking()
        return Result(
            status: termination.status, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors.withLock { $0 }, as: UTF8.self))
    }

    /// `runBlocking` on a thread of its own, so the cooperative pool never waits on a child.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String],
        input: Input = .null
    ) async throws -> Result {
        try await OffPool.run { try runBlocking(executable, arguments, environment: environment, input: input) }
    }

    /// `executable` if it is a path to an executable file, else the first executable of that name
    /// in `path` (a PATH value; this process's PATH when nil).
    public static func resolve(_ executable: String, path: String? = nil) -> String? {
        let files = FileManager.default
        if executable.contains("/") { return files.isExecutableFile(atPath: executable) ? executable : nil }
        let directories = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return directories.split(separator: ":").lazy.map { "\($0)/\(executable)" }.first(where: files.isExecutableFile)
    }

    /// One of a child's piped output streams.
    public enum Stream: Sendable {
        case output, errors
    }

    /// A started child process, owned by this handle until it is reaped.
    ///
    /// Signals are sent only while the child has not been reaped (the reaping `waitpid` and the
    /// `kill` run under one lock), so a signal never reaches a process that reused the pid. A
    /// handle released while its child still runs SIGKILLs it (its group, when it leads one) and
    /// reaps it: no zombie or orphan outlives the handle.
    public final class Child: Sendable {
        public let pid: pid_t
        /// Whether the child leads a process group of its own, so that signals reach whatever it started.
        public let leadsProcessGroup: Bool
        private let outputEnd: Int32
        private let errorsEnd: Int32
        private let inputEnd: Mutex<Int32>
        private let ended = Mutex<Termination?>(nil)

        /// Starts `executable` (a path, or a name looked up in the PATH of `environment`, else of
        /// this process) with `arguments`; `environment` replaces the child's whole environment.
        /// `ownProcessGroup` puts the child in a new process group: a terminal's Ctrl-C does not
        /// reach it, and `terminate()`/`kill()` reach everything it started.
        public init(
            _ executable: String, _ arguments: [String], environment: [String: String],
            input: Input = .null, output: Output = .inherit, errors: Output = .inherit,
            ownProcessGroup: Bool = false
        ) throws {
            guard let path = Spawn.resolve(executable, path: environment["PATH"]) else {
                throw Failure(description: "\(executable): not found")
            }
            // Each pipe made: the end this process keeps and the child's.
            var pipes: [(parent: Int32, child: Int32)] = []
            func closeAll() {
                for ends in pipes {
                    close(ends.parent)
                    close(ends.child)
                }
            }
            func makePipe(parentReads: Bool) throws -> (parent: Int32, child: Int32) {
                var ends: [Int32] = [-1, -1]
                // `pipe2` is not visible from Swift here; any child spawned between `pipe` and
                // `fcntl` by another thread has the ends closed by `addclosefrom_np` below.
                guard pipe(&ends) == 0 else {
                    let code = errno
                    closeAll()
                    throw Failure(description: "pipe: \(String(cString: strerror(code)))")
                }
                _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
                let made = parentReads ? (parent: ends[0], child: ends[1]) : (parent: ends[1], child: ends[0])
                pipes.append(made)
                return made
            }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            var inputParent: Int32 = -1
            switch input {
            case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            case .file(let file): posix_spawn_file_actions_addopen(&actions, 0, file, O_RDONLY, 0)
            case .pipe:
                let ends = try makePipe(parentReads: false)
                inputParent = ends.parent
                posix_spawn_file_actions_adddup2(&actions, ends.child, 0)
            }
            var parentEnds: [Int32] = [-1, -1]
            for (index, (destination, descriptor)) in [(output, Int32(1)), (errors, Int32(2))].enumerated() {
                switch destination {
                case .inherit: break
                case .null: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
                case .file(let file): posix_spawn_file_actions_addopen(&actions, descriptor, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                case .pipe:
                    let ends = try makePipe(parentReads: true)
                    parentEnds[index] = ends.parent
                    posix_spawn_file_actions_adddup2(&actions, ends.child, descriptor)
                case .standardOutput:
                    precondition(descriptor == 2, "only standard error can go to standard output")
                    posix_spawn_file_actions_adddup2(&actions, 1, 2)
                }
            }
            #if os(Linux)
            // Nothing of ours beyond 0-2, whether or not it was opened close-on-exec.
            _ = addCloseFrom?(&actions, 3)
            #endif

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // Set explicitly: without it the child keeps the calling thread's mask.
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            // Every signal this process ignores (SIGPIPE, for one) back to its default action.
            var defaults = sigset_t()
            sigfillset(&defaults)
            sigdelset(&defaults, SIGKILL)
            sigdelset(&defaults, SIGSTOP)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
            if ownProcessGroup {
                posix_spawnattr_setpgroup(&attributes, 0)
                flags |= POSIX_SPAWN_SETPGROUP
            }
            posix_spawnattr_setflags(&attributes, Int16(flags))

            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in argv { free(pointer) }
                for pointer in envp { free(pointer) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            // The child has its copies (or there is no child): the parent's copies of its ends go
            // now, so reads see end of file when the child exits.
            for ends in pipes { close(ends.child) }
            guard spawned == 0 else {
                for ends in pipes { close(ends.parent) }
                throw Failure(description: "\(executable) could not be started: \(String(cString: strerror(spawned)))")
            }
            self.pid = pid
            self.leadsProcessGroup = ownProcessGroup
            self.inputEnd = Mutex(inputParent)
            self.outputEnd = parentEnds[0]
            self.errorsEnd = parentEnds[1]
        }

        deinit {
            let running = ended.withLock { $0 == nil }
            if running { deliver(SIGKILL, to: leadsProcessGroup ? -pid : pid) }
            for descriptor in [outputEnd, errorsEnd, inputEnd.withLock { $0 }] where descriptor >= 0 { close(descriptor) }
            if running {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
        }

        /// How the child ended, once it has (reaping it then); nil while it runs. Never blocks.
        public var termination: Termination? {
            ended.withLock { ended in
                if let ended { return ended }
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid {
                    ended = Termination(waitStatus: status)
                } else if reaped < 0 && errno == ECHILD {
                    ended = .exited(-1)
                }
                return ended
            }
        }

        public var isRunning: Bool { termination == nil }

        /// Waits for the child to end and reaps it. Blocks the calling thread: use `wait()` from tasks.
        @discardableResult
        public func waitBlocking() -> Termination {
            while true {
                if let termination { return termination }
                // Waits without reaping, so the reap happens under the lock that signals take.
                var info = siginfo_t()
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == ECHILD {
                    return ended.withLock { ended in
                        if ended == nil { ended = .exited(-1) }
                        return ended!
                    }
                }
            }
        }

        /// Suspends until the child has ended and been reaped; the wait runs on a thread of its
        /// own, never on one of the cooperative pool's.
        @discardableResult
        public func wait() async -> Termination {
            if let termination { return termination }
            return await OffPool.run { self.waitBlocking() }
        }

        /// Sends `signal` to the child (to its whole group when it leads one), unless it has been reaped.
        public func signal(_ signal: Int32) {
            ended.withLock { ended in
                if ended == nil { deliver(signal, to: leadsProcessGroup ? -pid : pid) }
            }
        }

        /// SIGTERM: asks the child to stop.
        public func terminate() { signal(SIGTERM) }

        /// SIGKILL.
        public func kill() { signal(SIGKILL) }

        /// SIGTERM, then SIGKILL if the child still runs after `grace` (or the task is cancelled);
        /// returns once it has been reaped.
        @discardableResult
        public func stop(grace: Duration) async -> Termination {
            terminate()
            let deadline = ContinuousClock.now.advanced(by: grace)
            while ContinuousClock.now < deadline, !Task.isCancelled {
                if let termination { return termination }
                try? await Task.sleep(for: .milliseconds(10))
            }
            kill()
            return await wait()
        }

        /// Reads what the child has written to a piped stream, blocking until there is some;
        /// empty at end of file (the child and whatever it started have closed it).
        public func read(_ stream: Stream, upTo limit: Int = 65_536) -> [UInt8] {
            let descriptor = stream == .output ? outputEnd : errorsEnd
            precondition(descriptor >= 0, "\(stream) is not a pipe")
            var buffer = [UInt8](repeating: 0, count: limit)
            while true {
                let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                return count > 0 ? Array(buffer[0..<count]) : []
            }
        }

        /// Reads a piped stream to its end. Blocks.
        public func readToEnd(_ stream: Stream) -> [UInt8] {
            var bytes: [UInt8] = []
            while true {
                let chunk = read(stream)
                if chunk.isEmpty { return bytes }
                bytes.append(contentsOf: chunk)
            }
        }

        /// Writes all of `bytes` to the child's piped standard input; blocks while the pipe is full.
        /// Throws after `closeInput()`; a child that closed its end raises SIGPIPE here unless
        /// this process ignores it.
        public func write(_ bytes: [UInt8]) throws {
            try inputEnd.withLock { descriptor in
                guard descriptor >= 0 else { throw Failure(description: "standard input is closed") }
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Failure(description: "write to the child's input: \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
        }

        /// Closes the child's piped standard input: it reads end of file.
        public func closeInput() {
            inputEnd.withLock { descriptor in
                if descriptor >= 0 { close(descriptor) }
                descriptor = -1
            }
        }
    }
}

extension Spawn.Termination {
    init(waitStatus status: Int32) {
        self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }
}

#if os(Linux)
/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which its header shows
/// only to `_GNU_SOURCE` builds and so not to Swift.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
}()
#endif

/// `kill(2)`, under a name that `Child.kill()` does not shadow.
private func deliver(_ signal: Int32, to pid: pid_t) {
    _ = kill(pid, signal)
}
