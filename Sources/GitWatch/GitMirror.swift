import AsyncPrimitives
public import ClipnetContracts
import Foundation
import Logging
import Metrics
import Synchronization

/// A bare mirror of the watched repository, kept under the state directory.
///
/// Two libgit2 handles on the same folder, each with its own serial queue (never the cooperative
/// pool; one thread at a time per handle, libgit2's rule; its thread-local error read in the same
/// work item as the failing call):
/// - the fetch handle, with the one `git_remote` it fetches through for the mirror's life;
/// - the read handle, for `head`, `resolve`, `readFile`, `isAncestor`, `tags` and `commitInfo`,
///   so operator actions, rollbacks and `/status` never wait for the network.
/// A fetch has a hard deadline over the whole exchange (see `fetch(timeout:)`).
public final class GitMirror: Sendable {
    /// The remote URL with any credentials removed: safe to log and show.
    public let displayURL: String
    public let directory: String
    private let reader: GitRepositoryHandle
    private let readQueue: SerialBlockingQueue
    private let remote: GitRemoteHandle
    private let fetchQueue: SerialBlockingQueue
    private let credentials: GitCredentials
    private let embedded: EmbeddedCredentials?
    private let runtime: GitRuntime
    /// Whether a fetch is still running on the fetch queue (possibly one given up at its deadline).
    private let fetchRunning = Mutex(false)
    private let fetchTimer: Timer
    private let fetchFailures: Counter

    private init(
        reader: GitRepositoryHandle, readQueue: SerialBlockingQueue, remote: GitRemoteHandle, fetchQueue: SerialBlockingQueue,
        url: String, credentials: GitCredentials, embedded: EmbeddedCredentials?, runtime: GitRuntime
    ) {
        self.reader = reader
        self.readQueue = readQueue
        self.remote = remote
        self.fetchQueue = fetchQueue
        self.directory = reader.path
        self.displayURL = GitMirror.redact(url)
        self.credentials = credentials
        self.embedded = embedded
        self.runtime = runtime
        self.fetchTimer = Timer(label: "git_fetch_duration_seconds", preferredDisplayUnit: .seconds)
        self.fetchFailures = Counter(label: "git_fetch_failures_total")
    }

    /// Opens the mirror in `directory`, creating it (mode 0700, parents included) if needed.
    /// Nothing is fetched yet.
    /// - Parameters:
    ///   - url: a local path, `file://`, `https://` or `ssh://` URL (ssh if `runtime.supportsSSH`).
    ///     A `user:password@` in it is kept in memory and given to the remote through the
    ///     credential callback; the mirror's `config` gets the URL without it.
    ///   - directory: the bare repository's folder; see `defaultDirectory(stateDirectory:url:)`.
    public static func open(url: String, directory: String, credentials: GitCredentials = .none, runtime: GitRuntime) async throws -> GitMirror {
        let (remoteURL, embedded) = splitCredentials(normalizedRemote(url))
        let fetchQueue = SerialBlockingQueue(label: "git.mirror.fetch")
        let readQueue = SerialBlockingQueue(label: "git.mirror.read")
        let remote = try await fetchQueue.run {
            let repository = try GitRepositoryHandle.openMirror(path: directory, url: remoteURL)
            return try GitRemoteHandle.origin(of: repository, url: remoteURL)
        }
        let reader = try await readQueue.run { try GitRepositoryHandle.open(path: directory) }
        return GitMirror(
            reader: reader, readQueue: readQueue, remote: remote, fetchQueue: fetchQueue, url: remoteURL, credentials: credentials,
            embedded: embedded, runtime: runtime
        )
    }

    /// `<state>/mirror/<name>-<hash>.git`: one folder per remote, readable by a person.
    public static func defaultDirectory(stateDirectory: String, url: String) -> String {
        let remote = splitCredentials(normalizedRemote(url)).url
        let name =
            remote.split(whereSeparator: { "/:".contains($0) }).last.map(String.init)?
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
    ///
    /// - Parameter timeout: a hard deadline on the whole fetch, connect and negotiation included:
    ///   every socket waits against it, and when it passes the caller gets `.deadlineExceeded` at
    ///   once while the fetch's sockets are shut down behind it. Until a fetch given up this way
    ///   has returned, a new fetch fails at once instead of queueing behind it.
    public func fetch(timeout: Duration = .seconds(300)) async throws {
        let start = ContinuousClock.now
        let deadline = start.advanced(by: timeout)
        let scope = FetchNetworkScope(deadline: deadline)
        let claimed = fetchRunning.withLock { running in
            guard !running else { return false }
            running = true
            return true
        }
        guard claimed else {
            fetchFailures.increment()
            throw GitError(.deadlineExceeded, "an earlier fetch that passed its deadline has not returned yet", function: "git_remote_fetch")
        }
        do {
            try await FetchRace.run(deadline: deadline, scope: scope) { [self] in
                try await fetchQueue.run { [self] in
                    defer { fetchRunning.withLock { $0 = false } }
                    try remote.repository.fetch(remote: remote, credentials: credentials, embedded: embedded, scope: scope)
                }
            }
            fetchTimer.recordNanoseconds(start.duration(to: .now).nanoseconds)
        } catch {
            fetchFailures.increment()
            throw error
        }
    }

    /// The fetch as it was before the remote was kept for the mirror's life: one
    /// `git_remote_lookup` per call. Only for the soak benchmark's baseline, in the same run.
    @_spi(Benchmark) public func fetchLookingUpTheRemoteEachTime(timeout: Duration = .seconds(300)) async throws {
        let scope = FetchNetworkScope(deadline: ContinuousClock.now.advanced(by: timeout))
        try await fetchQueue.run { [remote, credentials, embedded] in
            let fresh = try GitRemoteHandle.origin(of: remote.repository, url: remote.url ?? "")
            try remote.repository.fetch(remote: fresh, credentials: credentials, embedded: embedded, scope: scope)
        }
    }

    /// `fetch` without the deadline watchdog (its two tasks): only for the soak benchmark, to
    /// tell libgit2's share of any growth from the Swift side's.
    @_spi(Benchmark) public func fetchWithoutWatchdog(timeout: Duration = .seconds(300)) async throws {
        let scope = FetchNetworkScope(deadline: ContinuousClock.now.advanced(by: timeout))
        try await fetchQueue.run { [remote, credentials, embedded] in
            try remote.repository.fetch(remote: remote, credentials: credentials, embedded: embedded, scope: scope)
        }
    }

    /// The commit `branch` points at in the mirror, or nil if the mirror has no such branch.
    public func head(of branch: String) async throws -> CommitID? {
        try await readQueue.run { [reader] in try reader.referenceTarget("refs/heads/\(branch)") }
    }

    /// Resolves a full or short commit id, a tag, a branch or an expression like `develop~2`.
    public func resolve(_ revision: String) async throws -> CommitID {
        try await readQueue.run { [reader] in try reader.resolve(revision) }
    }

    /// Whether `ancestor` is `commit` itself or one of its ancestors.
    public func isAncestor(_ ancestor: CommitID, of commit: CommitID) async throws -> Bool {
        try await readQueue.run { [reader] in try reader.isAncestor(ancestor, of: commit) }
    }

    /// The contents of `path` at commit `id`; throws `.notFound` when the path is not there.
    public func readFile(_ path: String, at id: CommitID) async throws -> [UInt8] {
        try await readQueue.run { [reader] in try reader.readFile(path, at: id) }
    }

    /// The revision marked for the environment by a tag matching `pattern`: of the matching tags,
    /// the one naming the newest commit (a descendant is newer than its ancestor; otherwise the
    /// later author time; the greater tag name breaks a tie). Nil when no tag matches.
    public func newestMark(pattern: String) async throws -> MarkedRevision? {
        let tags = try await readQueue.run { [reader] in try reader.tags(matching: pattern) }
        var best: (mark: MarkedRevision, time: Date)?
        for tag in tags {
            let candidate = (mark: MarkedRevision(tag: tag.name, commit: tag.commit), time: try await commitInfo(tag.commit).time)
            guard let current = best else {
                best = candidate
                continue
            }
            if try await newer(candidate, than: current) { best = candidate }
        }
        return best?.mark
    }

    private func newer(_ a: (mark: MarkedRevision, time: Date), than b: (mark: MarkedRevision, time: Date)) async throws -> Bool {
        if a.mark.commit != b.mark.commit {
            if try await isAncestor(b.mark.commit, of: a.mark.commit) { return true }
            if try await isAncestor(a.mark.commit, of: b.mark.commit) { return false }
            if a.time != b.time { return a.time > b.time }
        }
        return a.mark.tag > b.mark.tag
    }

    /// Moves `refs/heads/<branch>` on the remote to `commit`, as a fast-forward only: fetches
    /// first, refuses (`PushRefusal`) when the branch has commits `commit` does not contain, does
    /// nothing when it is already there, and otherwise pushes, which the remote also checks.
    /// - Returns: where the branch was before (nil: it did not exist).
    @discardableResult
    public func pushFastForward(_ commit: CommitID, to branch: String, timeout: Duration = .seconds(120)) async throws -> CommitID? {
        // The watcher may be fetching right now; the mirror's view is then a moment old, and the
        // remote checks the fast-forward itself anyway.
        try? await fetch(timeout: timeout)
        let before = try await head(of: branch)
        if let before {
            if before == commit { return before }
            guard try await isAncestor(before, of: commit) else {
                throw PushRefusal(
                    "\(branch) is at \(before.hex), which \(commit.hex) does not contain: only a fast-forward is pushed")
            }
        }
        let scope = FetchNetworkScope(deadline: ContinuousClock.now.advanced(by: timeout))
        let rejection = try await fetchQueue.run { [self] in
            try remote.repository.pushFastForward(
                remote: remote, commit: commit, branch: branch, credentials: credentials, embedded: embedded, scope: scope)
        }
        if let rejection { throw PushRefusal("the remote refused the push of \(branch): \(rejection)") }
        try? await fetch(timeout: timeout)
        return before
    }

    /// The tags whose target is commit `id`, sorted.
    public func tags(pointingAt id: CommitID) async throws -> [String] {
        try await readQueue.run { [reader] in try reader.tags(pointingAt: id) }
    }

    /// Author, time and subject of commit `id`.
    public func commitInfo(_ id: CommitID) async throws -> CommitInfo {
        try await readQueue.run { [reader] in try reader.commitInfo(id) }
    }

    /// Takes `user[:password]@` out of a URL with a scheme (percent-decoded), so it can travel
    /// through the credential callback instead of the mirror's `config`.
    static func splitCredentials(_ url: String) -> (url: String, embedded: EmbeddedCredentials?) {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return (url, nil) }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard at < slash else { return (url, nil) }
        let userinfo = url[scheme.upperBound..<at]
        let stripped = String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
        let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let username = String(parts[0]).removingPercentEncoding ?? String(parts[0])
        let password = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        // A user without a password (ssh://git@host/...) is not a secret: keep it in the URL.
        guard !password.isEmpty else { return (url, nil) }
        return (stripped, EmbeddedCredentials(username: username, password: password))
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

/// A push the rules refused (not a fast-forward, or the remote said no): an answer for the
/// operator, not a failure of the mirror.
public struct PushRefusal: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
