/// The one answer to "is staging all right?": the status page's badge and the first line of
/// `reconciler status` both come from here, so they can never disagree (a blocked daemon is
/// "Blocked" in both, never "in sync" in one of them).
public struct StatusVerdict: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case rollingOut(revision: String, phase: String, withError: Bool)
        /// The desired revision failed and is held back until a new commit or a retry.
        case heldBack(revision: String?, reason: String)
        /// Nothing rolls out until something changes (a refused manifest, a missing secret or
        /// token, a stalled pass).
        case blocked(String)
        case unhealthy([String])
        case drift(Int)
        case reconcileFailed(result: String, message: String?)
        /// The branch has not been fetched yet.
        case starting
        case inSync(revision: String, pinned: Bool)
    }

    public let kind: Kind

    /// `ok`, `info`, `warn` or `bad`.
    public var tone: String {
        switch kind {
        case .rollingOut(_, _, let withError): withError ? "warn" : "info"
        case .heldBack, .blocked, .unhealthy, .reconcileFailed: "bad"
        case .drift: "warn"
        case .starting: "info"
        case .inSync: "ok"
        }
    }

    /// Whether every service runs the desired revision as far as status can tell.
    public var inSync: Bool {
        if case .inSync = kind { return true }
        return false
    }

    public init(_ document: StatusDocument) {
        let unhealthy = document.services.filter { $0.healthy == false }.map(\.name)
        if let rollout = document.rollout, rollout.isActive {
            kind = .rollingOut(revision: rollout.revision, phase: rollout.phase, withError: rollout.error != nil)
        } else if let failed = document.desired.failed {
            kind = .heldBack(revision: document.desired.revision, reason: failed.reason)
        } else if let blocked = document.blockedBy {
            kind = .blocked(blocked)
        } else if !unhealthy.isEmpty {
            kind = .unhealthy(unhealthy)
        } else if !document.drift.isEmpty {
            kind = .drift(document.drift.count)
        } else if let last = document.lastReconcile, last.result == "failed" || last.result == "stalled" {
            kind = .reconcileFailed(result: last.result, message: last.message)
        } else if let desired = document.desired.revision {
            kind = .inSync(revision: desired, pinned: document.desired.source == .pin)
        } else {
            kind = .starting
        }
    }
}
