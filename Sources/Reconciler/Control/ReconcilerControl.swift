public import ClipnetContracts
import Foundation
import KnownGoodStore

/// What the operator surface (the HTTP server, and the CLI through it) asks of a running daemon.
///
/// Why a protocol: the HTTP routes, the status page and the CLI are tested against an in-memory
/// implementation, and the daemon (`ReconcilerDaemon`) is the one real conformer.
///
/// Errors: operator mistakes and refusals are `OperatorError` (its `code` picks the HTTP status);
/// anything else is an internal error, answered without detail.
public protocol ReconcilerControl: Sendable {
    /// The environment this daemon manages (`staging`).
    var environment: String { get }
    /// The watched branch (`develop`).
    var branch: String { get }
    /// The `task` of the GitHub deployments that mark a build (`github.requestTask`); nil:
    /// deployment requests are not taken (always on production).
    var deploymentRequestTask: String? { get }

    /// The current `/status` document with a version number that changes whenever the document
    /// does, so a server can cache its encoding. Cheap: served from memory, no I/O.
    func status() -> StatusSnapshot

    /// History entries, newest first, at most `limit`.
    func history(limit: Int) async throws -> [HistoryEntry]

    /// Whether this replica should receive traffic: it leads, the store answers, and the last
    /// reconcile is not failing.
    func readiness() async -> Readiness

    /// Asks for a reconcile pass now. With `retry`, the desired revision's failed mark is cleared
    /// first, so a revision held back after a failure rolls out again.
    func reconcile(retry: Bool, by actor: String) async throws

    /// Pins `revision` (any form git understands); one not on the branch needs `force`.
    func pin(_ revision: String, reason: String, by actor: String, force: Bool) async throws -> PinRecord

    /// Follows the branch again.
    func unpin(reason: String?, by actor: String) async throws

    /// Pins the previous known-good revision, or `to` (which must be known-good).
    func rollback(to revision: String?, reason: String, by actor: String) async throws -> KnownGoodRecord

    /// Promotes a known-good revision of this environment to the next one (`promotion.branch`
    /// fast-forwarded to it). Refused (`not_promotable`) unless it is known-good, not marked
    /// failed, and older than `promotion.soak`.
    func promote(_ revision: String, reason: String, by actor: String) async throws -> Promotion

    /// A GitHub deployment request for this environment made by someone other than the daemon:
    /// marks `revision` (a full commit id) for the environment, replacing any earlier request.
    /// The repository is fetched first, so a commit pushed a moment ago is found.
    /// - Returns: the request as stored (the earlier one, unchanged, when GitHub delivered the
    ///   same deployment again).
    /// - Throws: `OperatorError`: `unknown_revision` when the commit is not in the repository,
    ///   `not_markable` when the environment takes no requests, `not_leader` on a standby.
    func requestDeployment(revision: String, deployment: Int64, by actor: String, ref: String?) async throws -> DeploymentRequest

    /// Clears the deployment request's mark; the environment follows a tag's mark or the branch
    /// again. Returns the request cleared (nil: none stood).
    func unmark(reason: String?, by actor: String) async throws -> DeploymentRequest?

    /// A verified GitHub push of `ref` (`refs/heads/develop`): when it is the watched branch, the
    /// daemon fetches at once. Returns whether the push concerned the watched branch.
    func push(ref: String, after: String?) -> Bool

    /// An authenticated platform webhook: when it may concern the rollout in flight
    /// (`PlatformEvent.concerns`), a pass runs now instead of at the next poll. Returns whether
    /// it did.
    func platformEvent(_ event: PlatformEvent) -> Bool

    /// A verified GitHub `check_run`, `check_suite` or `status` event for commit `sha`: when the
    /// rollout in flight waits at the release gate for that commit, a pass runs now. Returns
    /// whether it did.
    func checksChanged(sha: String) -> Bool

    /// What a reconcile would change now, applying nothing (`reconciler plan`).
    func plan() async throws -> PlanDocument

    /// Lists, and with `apply` removes, the staging variables an earlier version wrote to
    /// Vercel's `preview` target (`reconciler cleanup-preview`). Removing needs the leader.
    func cleanupPreviewVariables(apply: Bool, by actor: String) async throws -> PreviewCleanup
}

/// A status document and its version (bumped whenever the document changes).
public struct StatusSnapshot: Sendable, Equatable {
    public let document: StatusDocument
    public let version: UInt64

    public init(document: StatusDocument, version: UInt64) {
        self.document = document
        self.version = version
    }
}

/// The answer of `/readyz`: ready only when every check passes.
public struct Readiness: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var ready: Bool { checks.allSatisfy(\.ok) }
    public var checks: [Check]

    public init(checks: [Check]) {
        self.checks = checks
    }

    private enum CodingKeys: String, CodingKey { case ready, checks }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decode([Check].self, forKey: .checks)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ready, forKey: .ready)
        try container.encode(checks, forKey: .checks)
    }
}
