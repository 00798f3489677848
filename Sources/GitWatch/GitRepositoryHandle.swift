internal import CGit2
import ClipnetContracts
import Foundation

/// Owns one `git_repository*` and is the only code that calls libgit2 on it.
///
/// Every method is synchronous and blocking; `GitMirror` calls them only from its
/// `SerialBlockingQueue`, which is why the class can be `@unchecked Sendable`: libgit2 requires a
/// repository to be used from one thread at a time, and the serial queue guarantees it. Objects
/// looked up inside a method (commits, trees, blobs, remotes) are freed before it returns, after
/// their data has been copied into Swift values.
final class GitRepositoryHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let path: String

    private init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the bare repository at `path`, creating it (and its `origin` remote) if missing, and
    /// points `origin` at `url` if it pointed elsewhere. The folders it creates are 0700: the mirror
    /// lives in the state directory, which only the daemon's user may read.
    static func openMirror(path: String, url: String) throws -> GitRepositoryHandle {
        // Another process may be creating the same mirror at this moment (two replicas on one
        // host): its lock on the config, or the remote it just added, fails this attempt; the
        // next one opens what it made. Runs on the fetch queue, where blocking is allowed.
        var attempt = 0
        while true {
            do {
                return try openMirrorOnce(path: path, url: url)
            } catch {
                attempt += 1
                guard attempt < 4 else { throw error }
                usleep(UInt32(100_000 * attempt))
            }
        }
    }

    private static func openMirrorOnce(path: String, url: String) throws -> GitRepositoryHandle {
        var raw: OpaquePointer?
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("HEAD")) {
            try check(git_repository_open_bare(&raw, path), "git_repository_open_bare")
        } else {
            try PrivateDirectory.create(path)
            try check(git_repository_init(&raw, path, 1), "git_repository_init")
        }
        guard let raw else { throw GitError(.other, "libgit2 returned no repository", function: "git_repository_open") }
        let repository = GitRepositoryHandle(pointer: raw, path: path)
        try repository.ensureOrigin(url: url)
        return repository
    }

    /// Opens an existing repository a second time: a handle for reads, used on another queue
    /// than the fetch, so reading never waits for the network.
    static func open(path: String) throws -> GitRepositoryHandle {
        var raw: OpaquePointer?
        try check(git_repository_open_bare(&raw, path), "git_repository_open_bare")
        guard let raw else { throw GitError(.other, "libgit2 returned no repository", function: "git_repository_open") }
        return GitRepositoryHandle(pointer: raw, path: path)
    }

    // MARK: - Remote and fetch

    static let remoteName = "origin"
    /// Branches and tags, pruned: pins may name any commit of the repository, not only the
    /// watched branch, and a deleted branch must disappear from the mirror.
    static let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    private func ensureOrigin(url: String) throws {
        var remote: OpaquePointer?
        let rc = git_remote_lookup(&remote, pointer, Self.remoteName)
        if rc == GIT_ENOTFOUND.rawValue {
            try check(git_remote_create_with_fetchspec(&remote, pointer, Self.remoteName, url, Self.refspecs[0]), "git_remote_create")
            git_remote_free(remote)
            for refspec in Self.refspecs.dropFirst() {
                try check(git_remote_add_fetch(pointer, Self.remoteName, refspec), "git_remote_add_fetch")
            }
            return
        }
        try check(rc, "git_remote_lookup")
        defer { git_remote_free(remote) }
        let current = git_remote_url(remote).map { String(cString: $0) }
        if current != url {
            try check(git_remote_set_url(pointer, Self.remoteName, url), "git_remote_set_url")
        }
    }

    /// Fetches branches and tags through `remote` with pruning, inside `scope` (the deadline of
    /// every socket the fetch opens).
    func fetch(remote: GitRemoteHandle, credentials: GitCredentials, embedded: EmbeddedCredentials?, scope: FetchNetworkScope) throws {
        let context = FetchCallbackContext(credentials: credentials, embedded: embedded, deadline: scope.deadline)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }

        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.callbacks.credentials = fetchCredentialCallback
        options.callbacks.transfer_progress = fetchProgressCallback
        options.callbacks.payload = unmanaged.toOpaque()

        let rc = FetchNetworkScope.with(scope) { git_remote_fetch(remote.pointer, nil, &options, "reconciler: fetch") }
        if rc < 0 {
            if let failure = context.failure { throw failure }
            let error = GitError.lastError(code: rc, function: "git_remote_fetch")
            if error.message == DeadlineSocketStream.deadlineMessage || scope.isAbandoned {
                throw GitError(.deadlineExceeded, DeadlineSocketStream.deadlineMessage, function: "git_remote_fetch")
            }
            // libgit2 reports a local remote that vanished as "unsupported URL protocol", which
            // sends an operator the wrong way; name the missing path and keep libgit2's words.
            if let url = remote.url, let path = Self.localPath(of: url), !FileManager.default.fileExists(atPath: path) {
                throw GitError(.network, "the remote path \(path) does not exist (libgit2: \(error.message))", function: error.function)
            }
            throw error
        }
    }

    /// Pushes `commit` to `refs/heads/<branch>` on the remote, as a fast-forward only (the
    /// refspec has no `+`: the remote refuses anything else). The commit travels through a
    /// reference of the mirror's own (`refs/reconciler/promote`), removed afterwards.
    /// - Returns: nil when the remote took it, else the remote's reason for refusing it.
    func pushFastForward(
        remote: GitRemoteHandle, commit: CommitID, branch: String, credentials: GitCredentials, embedded: EmbeddedCredentials?,
        scope: FetchNetworkScope
    ) throws -> String? {
        let local = "refs/reconciler/promote"
        var oid = commit.oid
        var reference: OpaquePointer?
        try check(git_reference_create(&reference, pointer, local, &oid, 1, "reconciler: promote"), "git_reference_create")
        git_reference_free(reference)
        defer { _ = git_reference_remove(pointer, local) }

        let context = FetchCallbackContext(credentials: credentials, embedded: embedded, deadline: scope.deadline)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "git_push_options_init")
        options.callbacks.credentials = fetchCredentialCallback
        options.callbacks.push_update_reference = pushUpdateReferenceCallback
        options.callbacks.payload = unmanaged.toOpaque()

        let refspec = "\(local):refs/heads/\(branch)"
        let rc = refspec.withCString { spec -> Int32 in
            var strings: [UnsafeMutablePointer<CChar>?] = [UnsafeMutablePointer(mutating: spec)]
            return strings.withUnsafeMutableBufferPointer { buffer in
                var array = git_strarray(strings: buffer.baseAddress, count: 1)
                return FetchNetworkScope.with(scope) { git_remote_push(remote.pointer, &array, &options) }
            }
        }
        if rc < 0 {
            if let failure = context.failure { throw failure }
            let error = GitError.lastError(code: rc, function: "git_remote_push")
            // A refusal the remote states in words (non-fast-forward) is an answer, not a failure.
            if error.message.contains("non-fast-forward") || error.message.contains("rejected") { return error.message }
            throw error
        }
        return context.rejection
    }

    private static func localPath(of url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        return url.hasPrefix("/") ? url : nil
    }

    // MARK: - Reading

    /// The commit a local reference (e.g. `refs/heads/develop`) points at, or nil if it does not exist.
    func referenceTarget(_ name: String) throws -> CommitID? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, pointer, name)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "git_reference_name_to_id")
        return try peelToCommit(oid)
    }

    /// Resolves any revision libgit2 understands (full or short id, branch, tag, `develop~2`)
    /// to the commit it names.
    func resolve(_ revision: String) throws -> CommitID {
        guard !revision.isEmpty, !revision.hasPrefix("-"), !revision.contains("\0") else {
            throw GitError(.invalidArgument, "'\(revision)' is not a revision", function: "resolve")
        }
        var object: OpaquePointer?
        let rc = git_revparse_single(&object, pointer, revision)
        if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EINVALIDSPEC.rawValue {
            throw GitError(.notFound, "unknown revision '\(revision)'", function: "git_revparse_single")
        }
        if rc == GIT_EAMBIGUOUS.rawValue {
            throw GitError(.ambiguous, "revision '\(revision)' is ambiguous: give more characters", function: "git_revparse_single")
        }
        try check(rc, "git_revparse_single")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peel = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        guard peel == 0, let commit else {
            throw GitError(.notFound, "revision '\(revision)' does not name a commit", function: "git_object_peel")
        }
        defer { git_object_free(commit) }
        return CommitID(oid: git_object_id(commit).pointee)
    }

    private func peelToCommit(_ oid: git_oid) throws -> CommitID {
        var oid = oid
        var object: OpaquePointer?
        try check(git_object_lookup(&object, pointer, &oid, GIT_OBJECT_ANY), "git_object_lookup")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "git_object_peel")
        defer { git_object_free(commit) }
        return CommitID(oid: git_object_id(commit).pointee)
    }

    /// Whether `ancestor` is `commit` or one of its ancestors (like `git merge-base --is-ancestor`).
    func isAncestor(_ ancestor: CommitID, of commit: CommitID) throws -> Bool {
        if ancestor == commit { return true }
        var descendantOID = commit.oid
        var ancestorOID = ancestor.oid
        try requireCommit(ancestor)
        try requireCommit(commit)
        let rc = git_graph_descendant_of(pointer, &descendantOID, &ancestorOID)
        try check(rc, "git_graph_descendant_of")
        return rc == 1
    }

    private func requireCommit(_ id: CommitID) throws {
        _ = try withCommit(id) { _ in () }
    }

    func commitInfo(_ id: CommitID) throws -> CommitInfo {
        try withCommit(id) { commit in
            let author = git_commit_author(commit)!.pointee
            let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
            return CommitInfo(
                id: id,
                authorName: author.name.map { String(cString: $0) } ?? "",
                authorEmail: author.email.map { String(cString: $0) } ?? "",
                time: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
                subject: summary)
        }
    }

    /// The bytes of `path` in the tree of `id`; `.notFound` if the path does not exist there.
    func readFile(_ path: String, at id: CommitID) throws -> [UInt8] {
        let normalized = path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
        guard !normalized.isEmpty, !normalized.split(separator: "/").contains("..") else {
            throw GitError(.invalidArgument, "'\(path)' is not a path inside the repository", function: "readFile")
        }
        return try withCommit(id) { commit in
            var tree: OpaquePointer?
            try check(git_commit_tree(&tree, commit), "git_commit_tree")
            defer { git_tree_free(tree) }
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, tree, normalized)
            if rc == GIT_ENOTFOUND.rawValue {
                throw GitError(.notFound, "\(normalized) does not exist at \(id.short)", function: "git_tree_entry_bypath")
            }
            try check(rc, "git_tree_entry_bypath")
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
                throw GitError(.notFound, "\(normalized) is not a file at \(id.short)", function: "git_tree_entry_type")
            }
            var blob: OpaquePointer?
            try check(git_blob_lookup(&blob, pointer, git_tree_entry_id(entry)), "git_blob_lookup")
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let bytes = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: bytes, count: size))
        }
    }

    /// Names of the tags (lightweight or annotated) whose target is the commit `id`.
    /// The tags whose name matches `pattern` (libgit2's `fnmatch`, `staging/*`) with the commit
    /// each names.
    func tags(matching pattern: String) throws -> [(name: String, commit: CommitID)] {
        var names = git_strarray()
        try check(git_tag_list_match(&names, pattern, pointer), "git_tag_list_match")
        defer { git_strarray_dispose(&names) }
        var matches: [(name: String, commit: CommitID)] = []
        for index in 0..<names.count {
            guard let raw = names.strings[index] else { continue }
            let name = String(cString: raw)
            if let target = try? referenceTarget("refs/tags/\(name)") { matches.append((name, target)) }
        }
        return matches
    }

    func tags(pointingAt id: CommitID) throws -> [String] {
        var names = git_strarray()
        try check(git_tag_list(&names, pointer), "git_tag_list")
        defer { git_strarray_dispose(&names) }
        var matches: [String] = []
        for index in 0..<names.count {
            guard let raw = names.strings[index] else { continue }
            let name = String(cString: raw)
            if let target = try? referenceTarget("refs/tags/\(name)"), target == id {
                matches.append(name)
            }
        }
        return matches.sorted()
    }

    private func withCommit<Result>(_ id: CommitID, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        var oid = id.oid
        var commit: OpaquePointer?
        let rc = git_commit_lookup(&commit, pointer, &oid)
        if rc == GIT_ENOTFOUND.rawValue {
            throw GitError(.notFound, "commit \(id.hex) is not in the mirror", function: "git_commit_lookup")
        }
        try check(rc, "git_commit_lookup")
        defer { git_commit_free(commit) }
        return try body(commit!)
    }
}
