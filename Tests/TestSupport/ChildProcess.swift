import AsyncPrimitives
public import Foundation

/// Runs programs for tests: the `git` CLI for fixtures, and the project's own executables
/// (store-torture, the daemon, the worker) as children that a test can kill.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }

        public init(command: [String], status: Int32, output: String) {
            self.command = command
            self.status = status
            self.output = output
        }
    }

    /// Runs `arguments[0]` (looked up in PATH) to completion and returns its standard output.
    @discardableResult
    public static func run(
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String] = [:]
    ) throws -> String {
        // Through `Spawn` (posix_spawn), not Foundation's `Process`: see `Spawn` for why.
        let chdir = directory.map { ["-C", $0] } ?? []
        let result = try Spawn.runBlocking(
            "/usr/bin/env", chdir + arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        let text = result.stdout + result.stderr
        guard result.status == 0 else {
            throw Failure(command: arguments, status: result.status, output: text)
        }
        return text
    }

    /// The folder that holds the products of this build (`.build/debug`): the test binary sits
    /// there, next to the package's executables.
    public static var productsDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The path of one of the package's executables, built alongside the tests.
    public static func productPath(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }
}
