import AsyncPrimitives
import Foundation
import ReconcilerTestSupport
import TestSupport

/// One run of the built `reconciler` executable: its exit status and both output streams.
struct CLIRun: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "reconciler \(arguments.joined(separator: " ")) → \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }

    /// Runs `reconciler arguments --timeout 120` with `environment` replacing the operator
    /// variables (the test's own `RECONCILER_TOKEN`, if any, never leaks in).
    ///
    /// Why the long timeout: the whole suite runs in one process, and tests that block Swift's
    /// cooperative threads (synchronous child-process reads elsewhere in the suite) can hold the
    /// server's handlers back for seconds on two cores; a timeout is a hang guard, not a check.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIRun {
        try await plain(arguments + ["--timeout", "120"], environment: environment)
    }

    /// Runs `reconciler arguments` as given (commands without `--timeout`: `token`, typos, help).
    static func plain(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIRun {
        let executable = ChildProcess.productPath("reconciler")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ChildProcess.Failure(
                command: [executable], status: -1, output: "the reconciler executable is not built (swift build --build-tests builds it)")
        }
        var base = ProcessInfo.processInfo.environment
        for key in ["RECONCILER_TOKEN", "RECONCILER_SERVER", "USER"] { base[key] = nil }
        let result = try await Spawn.run(executable, arguments, environment: base.merging(environment) { $1 })
        return CLIRun(arguments: arguments, status: result.status, stdout: result.stdout, stderr: result.stderr)
    }
}
