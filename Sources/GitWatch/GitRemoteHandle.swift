internal import CGit2
import Foundation

/// Owns the one `git_remote*` a mirror fetches with, for the mirror's whole life.
///
/// Why one: `git_remote_lookup` reads the remote's settings through libgit2 1.5's config regex
/// (PCRE2), which leaks about 120 KB per call; looking the remote up once keeps a daemon that
/// fetches every 30 s flat. Used only on the fetch queue, like the repository it belongs to.
final class GitRemoteHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Kept so the repository outlives the remote that points into it.
    let repository: GitRepositoryHandle

    private init(pointer: OpaquePointer, repository: GitRepositoryHandle) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit {
        git_remote_free(pointer)
    }

    /// Looks up `origin` once and makes this instance fetch from `url` (the configured URL holds
    /// no credentials; they travel through the credential callback only).
    static func origin(of repository: GitRepositoryHandle, url: String) throws -> GitRemoteHandle {
        var remote: OpaquePointer?
        try check(git_remote_lookup(&remote, repository.pointer, GitRepositoryHandle.remoteName), "git_remote_lookup")
        guard let remote else { throw GitError(.other, "libgit2 returned no remote", function: "git_remote_lookup") }
        let handle = GitRemoteHandle(pointer: remote, repository: repository)
        try check(git_remote_set_instance_url(remote, url), "git_remote_set_instance_url")
        return handle
    }

    var url: String? { git_remote_url(pointer).map { String(cString: $0) } }
}
