import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(command: arguments, status: process.terminationStatus, output: text)
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
