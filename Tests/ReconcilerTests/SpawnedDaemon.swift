import AsyncPrimitives
import Foundation
import TestSupport

/// The real `reconciler run` binary started through `Spawn`, its output in a file: for tests
/// that look at the process from outside (its open descriptors, its sockets).
final class SpawnedDaemon {
    let logPath: String
    private let child: Spawn.Child

    init(configurationPath: String, environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        child = try Spawn.Child(
            ChildProcess.productPath("reconciler"), ["run", "--config", configurationPath], environment: environment,
            output: .file(logPath), errors: .standardOutput)
    }

    deinit { _ = stop() }

    var pid: pid_t { child.pid }

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
    var isRunning: Bool { child.isRunning }

    /// SIGTERM and wait; the exit status (128 + the signal when killed).
    @discardableResult
    func stop() -> Int32 {
        child.terminate()
        return child.waitBlocking().status
    }
}
