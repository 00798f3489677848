import Foundation

/// Runs a program to completion and collects its exit status and both output streams, with
/// `posix_spawn` and pipes whose descriptors this code opens and closes exactly once.
///
/// Why not Foundation's `Process` with `Pipe`s: on Linux it can close a pipe descriptor twice
/// when many processes are started concurrently (swiftlang/swift#57827), and the second close hits
/// whatever file the descriptor number was reused for in another test of the same process (the
/// likely cause of an `EBADF` seen once in the file store's tests while the CLI tests ran).
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
    }

    /// Runs `executable` (an absolute path) with `arguments`; `environment` replaces the child's
    /// whole environment. Blocks the calling thread: use `run(_:_:environment:) async` from tasks.
    public static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Result {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard makePipe(&output) else { throw Failure(description: "pipe: errno \(errno)") }
        guard makePipe(&errors) else {
            close(output[0]); close(output[1])
            throw Failure(description: "pipe: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        posix_spawn_file_actions_destroy(&actions)
        // The child has its copies; the parent's write ends go now, so reads see end of file.
        close(output[1])
        close(errors[1])
        guard spawned == 0 else {
            close(output[0]); close(errors[0])
            throw Failure(description: "posix_spawn \(executable): error \(spawned)")
        }

        // Standard error is drained on its own thread so that neither pipe can fill and block the child.
        let errorText = Drain(errors[0])
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errorText.run()
            drained.signal()
        }
        let outputText = Drain(output[0])
        outputText.run()
        drained.wait()
        close(output[0])
        close(errors[0])

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exit, stdout: outputText.text, stderr: errorText.text)
    }

    /// A pipe whose ends are not inherited by other children (`pipe2` is not visible from Swift
    /// here; the window between `pipe` and `fcntl` is a few instructions).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// `runBlocking` on a thread of its own, so the cooperative pool never waits on a child.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Result {
        try await OffPool.run { try runBlocking(executable, arguments, environment: environment) }
    }

    /// Reads a descriptor to its end; `text` is only read after `run` returned.
    private final class Drain: @unchecked Sendable {
        private let descriptor: Int32
        private var bytes: [UInt8] = []

        init(_ descriptor: Int32) {
            self.descriptor = descriptor
        }

        func run() {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                bytes.append(contentsOf: buffer[0..<count])
            }
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
}
