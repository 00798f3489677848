public import ClipnetContracts

/// The store behind "rollback means moving a pointer": one document per environment plus an
/// append-only history. Two backends: `FileStateStore` (`file:state/`) and `PostgresStateStore`
/// (`postgres://...`).
///
/// Every change goes through `update`, an atomic read-modify-write: concurrent writers (tasks or
/// processes) never lose each other's updates, and the history entries a change returns are
/// committed with it, numbered contiguously.
public protocol StateStore: Sendable {
    /// The environment's state; an environment never written reads as an empty state.
    func load(environment: String) async throws -> EnvironmentState

    /// Applies `change` to the current state atomically and appends the history entries it
    /// returns (their `sequence` is assigned by the store). `change` may run more than once on
    /// backends that retry on conflict, so it must not have side effects.
    /// - Returns: the state as committed.
    @discardableResult
    func update(
        environment: String,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState

    /// History entries, newest first, at most `limit`.
    func history(environment: String, limit: Int) async throws -> [HistoryEntry]

    /// Throws `StateStoreError(.notLeader)` unless writes through this store are still this
    /// process's to make: called before every platform change, so a deposed leader changes no
    /// platform. Stores without leadership (one process per file store) always pass.
    func proveLeadership() async throws
}

extension StateStore {
    public func proveLeadership() async throws {}
}

/// Errors of either backend, typed by what the caller can do about them.
public struct StateStoreError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// The stored data cannot be decoded: a human must look (the file is kept as it is).
        case corrupt
        /// The backend cannot be reached right now; retrying may help.
        case unavailable
        /// The state URL or the environment name is not acceptable.
        case invalidConfiguration
        /// This process lost leadership; it must stop writing.
        case notLeader
        /// Another process already runs a daemon on this state directory.
        case locked
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "state store \(code.rawValue): \(message)" }

    /// Whether retrying the same call later can succeed.
    public var isRetryable: Bool { code == .unavailable }

    /// `ENOSPC (the disk is full)` or `EROFS (the file system is read-only)` when that is why the
    /// store failed: for answers that must not carry the message's file paths.
    public var diskCondition: String? {
        let conditions = [
            ("ENOSPC", "the disk is full"), ("EDQUOT", "the disk quota is exhausted"), ("EROFS", "the file system is read-only"),
            ("EIO", "the disk reports I/O errors"),
        ]
        return conditions.first { message.contains("\($0.0):") }.map { "\($0.0): \($0.1)" }
    }
}

/// Environment names become file names and SQL values, so they are restricted to a safe set.
public func validateEnvironmentName(_ name: String) throws {
    let allowed = name.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
    guard allowed, !name.isEmpty, name.count <= 64 else {
        throw StateStoreError(.invalidConfiguration, "environment name '\(name)' must be 1-64 characters of a-z, 0-9, '-' or '_'")
    }
}
