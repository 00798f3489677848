public import Foundation

/// A real git repository made by a test with the `git` command line, so that what libgit2 reads
/// is checked against an independent implementation.
public final class GitFixture: Sendable {
    public let path: String
    private let directory: TemporaryDirectory

    /// Creates a non-bare repository with `branch` checked out and one initial commit.
    public init(branch: String = "develop") throws {
        directory = try TemporaryDirectory(prefix: "clipnet-git")
        path = directory.path
        try git("init", "-q", "-b", branch)
        try git("config", "user.name", "Test Author")
        try git("config", "user.email", "author@example.test")
        try git("config", "commit.gpgsign", "false")
        try commit(files: ["README.md": "fixture\n"], message: "initial commit")
    }

    /// Writes the files, commits them on the current branch and returns the new commit id.
    @discardableResult
    public func commit(files: [String: String] = [:], message: String, date: Date? = nil) throws -> String {
        for (name, contents) in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
            try git("add", name)
        }
        var environment: [String: String] = [:]
        if let date {
            let stamp = "\(Int(date.timeIntervalSince1970)) +0000"
            environment = ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp]
        }
        try ChildProcess.run(["git", "-C", path, "commit", "-q", "--allow-empty", "-m", message], environment: environment)
        return try head()
    }

    /// The full commit id of `revision` (default HEAD).
    public func head(_ revision: String = "HEAD") throws -> String {
        try git("rev-parse", revision).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a git command in the repository and returns its output.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try ChildProcess.run(["git", "-C", path] + arguments)
    }

    /// `file://` URL of the repository.
    public var url: String { "file://\(path)" }
}
