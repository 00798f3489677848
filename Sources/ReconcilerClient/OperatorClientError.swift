/// Why an operator command did not get what it asked for, and the exit status it leaves.
public struct OperatorClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The daemon answered with an error (`{"error":{"code","message"}}`): a refusal, a bad
        /// request, a standby replica, or an internal error.
        case refused(status: Int, code: String)
        /// No daemon answered at the address (connection refused, timeout, name resolution).
        case unreachable
        /// Something answered, but not with the operator API's shape.
        case unexpectedAnswer(status: Int)
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The documented exit status (docs/operations.md, "CLI"): 1 refused, 3 unreachable or unusable.
    public var exitCode: Int32 {
        switch kind {
        case .refused: CLIExitCode.refused
        case .unreachable, .unexpectedAnswer: CLIExitCode.unreachable
        }
    }

    public var description: String { message }
}

/// Exit statuses of the `reconciler` client commands, for shell scripts.
public enum CLIExitCode {
    /// Done.
    public static let ok: Int32 = 0
    /// The daemon refused (its error code and message are printed on standard error).
    public static let refused: Int32 = 1
    /// The command line is wrong (unknown option, missing argument).
    public static let usage: Int32 = 2
    /// No daemon answered at `--server`, or what answered is not the reconciler.
    public static let unreachable: Int32 = 3
}
