import Foundation

/// A child process that a test starts, waits on for a readiness line, and kills with SIGKILL:
/// the crash tests' way to stop a writer at an arbitrary instant.
public final class KillableChild {
    private let process = Process()
    private let output = Pipe()
    private var buffered = Data()

    public init(executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Blocks until the child prints `line` on its standard output; throws if it exits first.
    public func waitForLine(_ line: String) throws {
        try waitForOutput { $0.split(separator: "\n").contains(Substring(line)) }
    }

    /// Blocks until the child's standard output so far satisfies `condition` (e.g. contains a
    /// readiness message); throws if it exits first.
    public func waitForOutput(_ condition: (String) -> Bool) throws {
        let handle = output.fileHandleForReading
        while !condition(String(decoding: buffered, as: UTF8.self)) {
            let chunk = handle.availableData
            if chunk.isEmpty {
                process.waitUntilExit()
                throw ChildProcess.Failure(
                    command: [process.executableURL?.path ?? "?"] + (process.arguments ?? []),
                    status: process.terminationStatus, output: String(decoding: buffered, as: UTF8.self))
            }
            buffered.append(chunk)
        }
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// Waits for the child to exit by itself: its exit status, or the signal that ended it.
    public func waitForExit() -> (status: Int32, signal: Int32?) {
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? (process.terminationStatus, process.terminationStatus) : (process.terminationStatus, nil)
    }

    /// SIGKILL, then reap.
    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then wait for the exit status.
    public func terminate() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { killHard() }
    }
}
