internal import CGit2

/// A libgit2 failure, or a watcher condition, as one typed error.
///
/// `message` is libgit2's own text (read from its thread-local error on the thread that failed),
/// so operators see what libgit2 saw; `function` names the failing call.
public struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A revision, path or reference does not exist.
        public static let notFound = Code("notFound")
        /// A short revision matches several objects.
        public static let ambiguous = Code("ambiguous")
        /// The remote could not be reached or the transfer failed; retrying may help.
        public static let network = Code("network")
        /// The fetch did not finish before its deadline (connect and negotiation included).
        public static let deadlineExceeded = Code("deadlineExceeded")
        /// The remote refused the credentials.
        public static let authentication = Code("authentication")
        /// The watched branch no longer exists on the remote.
        public static let branchMissing = Code("branchMissing")
        /// The remote or the mirror is not a valid repository.
        public static let invalidRepository = Code("invalidRepository")
        /// A revision or path was not in an acceptable form.
        public static let invalidArgument = Code("invalidArgument")
        /// Anything else libgit2 reported.
        public static let other = Code("other")

        public var description: String { name }
    }

    public let code: Code
    public let message: String
    /// The libgit2 function (or watcher step) that failed.
    public let function: String

    public init(_ code: Code, _ message: String, function: String = "") {
        self.code = code
        self.message = message
        self.function = function
    }

    public var description: String {
        function.isEmpty ? "git \(code): \(message)" : "git \(code) in \(function): \(message)"
    }

    /// Whether retrying later can help (the watcher backs off and retries these).
    public var isRetryable: Bool { code == .network || code == .deadlineExceeded || code == .branchMissing || code == .other }

    /// Builds the error from libgit2's thread-local last error. Must be called on the thread
    /// that made the failing call, inside the same blocking work item.
    static func lastError(code rc: Int32, function: String) -> GitError {
        let last = git_error_last()
        let text = last.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "libgit2 returned \(rc)"
        let klass = last.map { $0.pointee.klass } ?? 0
        return GitError(classify(rc: rc, klass: klass), text, function: function)
    }

    private static func classify(rc: Int32, klass: Int32) -> Code {
        switch rc {
        case GIT_ENOTFOUND.rawValue: return .notFound
        case GIT_EAMBIGUOUS.rawValue: return .ambiguous
        case GIT_EAUTH.rawValue: return .authentication
        case GIT_EINVALIDSPEC.rawValue: return .invalidArgument
        default: break
        }
        switch UInt32(bitPattern: klass) {
        case GIT_ERROR_NET.rawValue, GIT_ERROR_SSL.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_HTTP.rawValue, GIT_ERROR_OS.rawValue:
            return .network
        case GIT_ERROR_REPOSITORY.rawValue, GIT_ERROR_ODB.rawValue, GIT_ERROR_OBJECT.rawValue:
            return .invalidRepository
        default:
            return .other
        }
    }
}

/// The one choke point where libgit2 return codes become Swift errors.
@inline(__always)
func check(_ rc: Int32, _ function: String) throws {
    if rc < 0 { throw GitError.lastError(code: rc, function: function) }
}
