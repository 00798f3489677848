public import Foundation

/// Whether a service can still be re-pointed to an existing deployment without a rebuild.
///
/// Railway keeps a replaced deployment's image 24/72/120/360 hours (Free/Hobby/Pro/Enterprise),
/// counted from when it was replaced, and says so in `canRollback`; Vercel's retention can delete
/// old deployments (then `GET` answers 410). A known-good record whose deployment is no longer
/// ready must be rebuilt instead of re-pointed: the platform would refuse the request.
public struct RollbackReadiness: Sendable, Hashable, CustomStringConvertible {
    public enum State: String, Sendable, Hashable {
        /// The platform accepts a re-point to it now.
        case ready
        /// The platform will refuse it (image no longer retained, deployment deleted or failed).
        case expired
        /// The platform does not say (a deployer that cannot tell).
        case unknown
    }

    public var state: State
    /// When readiness is expected to end, where it can be estimated (Railway: replaced at plus the
    /// configured plan's retention); nil when unknown or not applicable.
    public var expiresAt: Date?
    /// What the platform said, for status and history ("canRollback false", "410 DEPLOYMENT_DELETED").
    public var detail: String

    public init(state: State, expiresAt: Date? = nil, detail: String) {
        self.state = state
        self.expiresAt = expiresAt
        self.detail = detail
    }

    public static func unknown(_ detail: String = "the platform does not report rollback readiness") -> RollbackReadiness {
        RollbackReadiness(state: .unknown, detail: detail)
    }

    public var description: String {
        switch state {
        case .ready: return expiresAt.map { "rollback-ready, expires about \(ISO8601DateFormatter().string(from: $0))" } ?? "rollback-ready"
        case .expired: return "expired (\(detail))"
        case .unknown: return "unknown (\(detail))"
        }
    }
}
