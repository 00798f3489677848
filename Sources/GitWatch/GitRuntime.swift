internal import CGit2

/// libgit2's global state, initialised once, explicitly, by whoever runs the process (`main`, a
/// test suite, a benchmark) and shut down when the value is released.
///
/// Why explicit: hidden initialisation (a C constructor, a lazy global) makes shutdown order
/// unknowable. Every `GitMirror` takes a runtime, so none can exist before libgit2 is ready.
/// libgit2 counts init/shutdown pairs, so several runtimes (one per test) are safe.
public final class GitRuntime: Sendable {
    public init() throws {
        let count = git_libgit2_init()
        guard count >= 0 else {
            throw GitError.lastError(code: count, function: "git_libgit2_init")
        }
        // Every fetch's sockets obey its deadline (libgit2 1.5 has no network timeout).
        try DeadlineSocketStream.register()
    }

    deinit {
        git_libgit2_shutdown()
    }

    /// Whether this libgit2 build can fetch over https and ssh.
    public var supportsHTTPS: Bool { git_libgit2_features() & Int32(GIT_FEATURE_HTTPS.rawValue) != 0 }
    public var supportsSSH: Bool { git_libgit2_features() & Int32(GIT_FEATURE_SSH.rawValue) != 0 }

    /// The libgit2 version, e.g. "1.5.1".
    public var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
