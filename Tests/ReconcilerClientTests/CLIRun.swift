import Foundation
import TestSupport

/// One run of the built `reconciler` executable: its exit status and both output streams.
struct CLIRun: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "reconciler \(arguments.joined(separator: " ")) → \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }

    /// Runs `reconciler arguments` with `environment` replacing the operator variables (the
    /// test's own `RECONCILER_TOKEN`, if any, never leaks in), off the cooperative pool.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIRun {
        let executable = ChildProcess.productPath("reconciler")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ChildProcess.Failure(command: [executable], status: -1, output: "the reconciler executable is not built (swift build --build-tests builds it)")
        }
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    var base = ProcessInfo.processInfo.environment
                    for key in ["RECONCILER_TOKEN", "RECONCILER_SERVER", "USER"] { base[key] = nil }
                    process.environment = base.merging(environment) { $1 }
                    let out = Pipe()
                    let err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    // Read stderr on its own thread so a full pipe can never block the child.
                    nonisolated(unsafe) var errData = Data()
                    let errDone = DispatchSemaphore(value: 0)
                    Thread.detachNewThread {
                        errData = err.fileHandleForReading.readDataToEndOfFile()
                        errDone.signal()
                    }
                    let outData = out.fileHandleForReading.readDataToEndOfFile()
                    errDone.wait()
                    process.waitUntilExit()
                    continuation.resume(returning: CLIRun(
                        arguments: arguments, status: process.terminationStatus,
                        stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
