import AsyncPrimitives
import Foundation

/// The sandbox's git repository, written with the `git` command line (the reconciler itself only
/// ever reads repositories, through libgit2).
public final class SandboxRepository: Sendable {
    public let path: String
    public let branch: String

    init(path: String, branch: String) throws {
        self.path = path
        self.branch = branch
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", branch)
        try git("config", "user.name", "CLIPNET Sandbox")
        try git("config", "user.email", "sandbox@clipnet.invalid")
        try git("config", "commit.gpgsign", "false")
    }

    /// Writes `files`, commits them on the current branch and returns the new commit id.
    public func commit(_ message: String, files: [String: String] = [:]) throws -> String {
        for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
            try git("add", name)
        }
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of `name` in the working tree.
    public func read(_ name: String) throws -> String {
        try String(contentsOfFile: "\(path)/\(name)", encoding: .utf8)
    }

    /// Runs `git -C path arguments` through `Spawn` (posix_spawn, pipes closed exactly once):
    /// Foundation's `Process` with `Pipe`s can close a descriptor twice when many children start
    /// at once, and the second close hits whatever another thread opened under that number (an
    /// emulator's listening socket, seen in the suite as "couldn't connect").
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let result = try Spawn.runBlocking(
            "/usr/bin/env", ["git", "-C", path] + arguments, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else {
            throw SandboxError(message: "git \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }
}

public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
