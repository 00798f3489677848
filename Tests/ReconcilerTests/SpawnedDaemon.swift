import Foundation
import TestSupport

/// The real `reconciler run` binary started with posix_spawn, its output in a file: for tests
/// that look at the process from outside (its open descriptors, its sockets).
final class SpawnedDaemon {
    let pid: pid_t
    let logPath: String
    private var reaped = false

    init(configurationPath: String, environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let executable = ChildProcess.productPath("reconciler")
        let arguments: [String] = [executable, "run", "--config", configurationPath]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        self.pid = pid
    }

    deinit { _ = stop() }

    /// Open descriptors of the process, from /proc.
    var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Open descriptors of the process that are TCP connections on local `port` (listening
    /// socket excluded): from /proc/net/tcp{,6} matched to the process's socket inodes.
    func connections(onLocalPort port: Int) -> Int {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var inodes: Set<String> = []
        for name in names {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + name),
                  target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        var count = 0
        for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
            let text = (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                      Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                      fields[3] != "0A", inodes.contains(String(fields[9]))
                else { continue }
                count += 1
            }
        }
        return count
    }

    /// The operator port, once the daemon printed `reconciler: status on http://HOST:PORT/`.
    var listeningPort: Int? {
        guard let range = output.range(of: "status on http://") else { return nil }
        let rest = output[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].prefix { $0.isNumber })
    }

    /// The process's output so far.
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Whether the process still runs (not yet exited).
    var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGTERM and wait; the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard !reaped else { return 0 }
        reaped = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
