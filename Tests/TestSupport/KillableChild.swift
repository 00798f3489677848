import AsyncPrimitives
import Foundation
import Synchronization

/// A child process that a test starts, waits on for a readiness line, and kills with SIGKILL:
/// the crash tests' way to stop a writer at an arbitrary instant. Its standard output is piped to
/// the test, its standard error goes to the test's. A child still running when this is released
/// is SIGKILLed and reaped (`Spawn.Child`).
public final class KillableChild {
    private let child: Spawn.Child
    private let command: [String]
    private var buffered: [UInt8] = []

    public init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        command = [executable] + arguments
        child = try Spawn.Child(
            executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            output: .pipe)
    }

    public var processIdentifier: Int32 { child.pid }

    /// Blocks until the child prints `line` on its standard output; throws if it exits first.
    public func waitForLine(_ line: String) throws {
        try waitForOutput { $0.split(separator: "\n").contains(Substring(line)) }
    }

    /// Blocks until the child's standard output so far satisfies `condition` (e.g. contains a
    /// readiness message); throws if it exits first. A hang guard, not a timing check: a child
    /// that neither prints it nor exits within `limit` is killed, so the test fails with its
    /// output instead of hanging the suite (a demo once waited for ever on a lost Redis).
    public func waitForOutput(within limit: Duration = .seconds(600), _ condition: (String) -> Bool) throws {
        let finished = Mutex(false)
        let child = self.child
        let watchdog = Task.detached {
            try? await Task.sleep(for: limit)
            if !finished.withLock({ $0 }) { child.kill() }
        }
        defer {
            finished.withLock { $0 = true }
            watchdog.cancel()
        }
        while !condition(String(decoding: buffered, as: UTF8.self)) {
            let chunk = child.read(.output)
            if chunk.isEmpty {
                throw ChildProcess.Failure(
                    command: command, status: child.waitBlocking().status,
                    output: String(decoding: buffered, as: UTF8.self))
            }
            buffered.append(contentsOf: chunk)
        }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { child.isRunning }

    /// Waits for the child to exit by itself: its exit status, or the signal that ended it (as both).
    public func waitForExit() -> (status: Int32, signal: Int32?) {
        switch child.waitBlocking() {
        case .exited(let code): (code, nil)
        case .signalled(let signal): (signal, signal)
        }
    }

    /// SIGKILL, then reap.
    public func killHard() {
        child.kill()
        child.waitBlocking()
    }

    /// SIGTERM, then wait: the exit status, or 128 + the signal that ended it.
    public func terminate() -> Int32 {
        child.terminate()
        return child.waitBlocking().status
    }
}
