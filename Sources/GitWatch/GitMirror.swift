import AsyncPrimitives
import Foundation
import Logging
import Metrics

/// A bare mirror of the watched repository, kept under the state directory.
///
/// Every libgit2 call runs on this mirror's own serial queue: never on the cooperative pool,
/// one thread at a time per repository (libgit2's rule), and libgit2's thread-local error read in
/// the same work item as the call that failed.
public final class GitMirror: Sendable {
    /// The remote URL with any credentials removed: safe to log and show.
    public let displayURL: String
    public let directory: String
    private let repository: GitRepositoryHandle
    private let queue: SerialBlockingQueue
    private let credentials: GitCredentials
    private let runtime: GitRuntime
    private let fetchTimer: Timer
    private let fetchFailures: Counter

    private init(repository: GitRepositoryHandle, queue: SerialBlockingQueue, url: String, credentials: GitCredentials, runtime: GitRuntime) {
        self.repository = repository
        self.queue = queue
        self.directory = repository.path
        self.displayURL = GitMirror.redact(url)
        self.credentials = credentials
        self.runtime = runtime
        self.fetchTimer = Timer(label: "git_fetch_duration_seconds", preferredDisplayUnit: .seconds)
        self.fetchFailures = Counter(label: "git_fetch_failures_total")
    }

    /// Opens the mirror in `directory`, creating it if needed. Nothing is fetched yet.
    /// - Parameters:
    ///   - url: a local path, `file://`, `https://` or `ssh://` URL (ssh if `runtime.supportsSSH`).
    ///   - directory: the bare repository's folder; see `defaultDirectory(stateDirectory:url:)`.
    public static func open(url: String, directory: String, credentials: GitCredentials = .none, runtime: GitRuntime) async throws -> GitMirror {
        let remote = normalizedRemote(url)
        let queue = SerialBlockingQueue(label: "git.mirror")
        let repository = try await queue.run {
            try GitRepositoryHandle.openMirror(path: directory, url: remote)
        }
        return GitMirror(repository: repository, queue: queue, url: remote, credentials: credentials, runtime: runtime)
    }

    /// `<state>/mirror/<name>-<hash>.git`: one folder per remote, readable by a person.
    public static func defaultDirectory(stateDirectory: String, url: String) -> String {
        let remote = normalizedRemote(url)
        let name = remote.split(whereSeparator: { "/:".contains($0) }).last.map(String.init)?
            .replacingOccurrences(of: ".git", with: "")
            .filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ?? "repository"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in remote.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let suffix = String(hash, radix: 16).prefix(8)
        return (stateDirectory as NSString).appendingPathComponent("mirror/\(name.isEmpty ? "repository" : name)-\(suffix).git")
    }

    /// Fetches all branches and tags (pruned) from the remote.
    /// - Parameter timeout: transfers still running after it are cancelled (see `fetchProgressCallback`).
    public func fetch(timeout: Duration = .seconds(300)) async throws {
        let start = ContinuousClock.now
        let deadline = start.advanced(by: timeout)
        do {
            try await queue.run { [repository, credentials] in
                try repository.fetch(credentials: credentials, deadline: deadline)
            }
            fetchTimer.recordNanoseconds(start.duration(to: .now).nanoseconds)
        } catch {
            fetchFailures.increment()
            throw error
        }
    }

    /// The commit `branch` points at in the mirror, or nil if the mirror has no such branch.
    public func head(of branch: String) async throws -> CommitID? {
        try await queue.run { [repository] in try repository.referenceTarget("refs/heads/\(branch)") }
    }

    /// Resolves a full or short commit id, a tag, a branch or an expression like `develop~2`.
    public func resolve(_ revision: String) async throws -> CommitID {
        try await queue.run { [repository] in try repository.resolve(revision) }
    }

    /// Whether `ancestor` is `commit` itself or one of its ancestors.
    public func isAncestor(_ ancestor: CommitID, of commit: CommitID) async throws -> Bool {
        try await queue.run { [repository] in try repository.isAncestor(ancestor, of: commit) }
    }

    /// The contents of `path` at commit `id`; throws `.notFound` when the path is not there.
    public func readFile(_ path: String, at id: CommitID) async throws -> [UInt8] {
        try await queue.run { [repository] in try repository.readFile(path, at: id) }
    }

    /// The tags whose target is commit `id`, sorted.
    public func tags(pointingAt id: CommitID) async throws -> [String] {
        try await queue.run { [repository] in try repository.tags(pointingAt: id) }
    }

    /// Author, time and subject of commit `id`.
    public func commitInfo(_ id: CommitID) async throws -> CommitInfo {
        try await queue.run { [repository] in try repository.commitInfo(id) }
    }

    /// Local paths become absolute, so the mirror does not depend on the daemon's working directory.
    static func normalizedRemote(_ url: String) -> String {
        if url.contains("://") || url.contains(/^[^\/]+@[^\/]+:/) {
            return url
        }
        let absolute = url.hasPrefix("/") ? url : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(url)
        return (absolute as NSString).standardizingPath
    }

    /// Strips `user:password@` from URLs before they reach a log or an error.
    static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard at < slash else { return url }
        return String(url[..<scheme.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }
}
