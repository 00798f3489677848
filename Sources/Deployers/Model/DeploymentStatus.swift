/// A deployment's state, normalised across platforms. The platform's own value is kept next to it
/// in `ObservedDeployment.rawStatus`.
public enum DeploymentStatus: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Accepted, waiting for a builder (Vercel QUEUED/INITIALIZING; Railway QUEUED/INITIALIZING/WAITING).
    case queued
    /// Building (Vercel and Railway BUILDING).
    case building
    /// Built, starting and passing health checks (Railway DEPLOYING).
    case deploying
    /// Serving, or ready to serve (Vercel READY; Railway SUCCESS, SLEEPING).
    case ready
    /// The build or deploy failed (Vercel ERROR; Railway FAILED).
    case failed
    /// Deployed, then the process died (Railway CRASHED).
    case crashed
    /// Cancelled before it finished (Vercel CANCELED).
    case canceled
    /// Replaced by a newer deployment or stopped (Railway REMOVING/REMOVED, SKIPPED).
    case removed
    /// Waiting for a human (Vercel BLOCKED; Railway NEEDS_APPROVAL): terminal for the reconciler.
    case blocked
    /// A value this client does not know; treated as in progress.
    case unknown

    /// Whether the deployment will not change state on its own any more.
    public var isTerminal: Bool {
        switch self {
        case .ready, .failed, .crashed, .canceled, .removed, .blocked: return true
        case .queued, .building, .deploying, .unknown: return false
        }
    }

    /// Whether it ended serving traffic.
    public var isSuccess: Bool { self == .ready }

    public var description: String { rawValue }

    /// Vercel `readyState` (docs/platforms.md; the list adds DELETED).
    public init(vercel raw: String) {
        switch raw {
        case "QUEUED", "INITIALIZING": self = .queued
        case "BUILDING": self = .building
        case "READY": self = .ready
        case "ERROR": self = .failed
        case "CANCELED": self = .canceled
        case "BLOCKED": self = .blocked
        case "DELETED": self = .removed
        default: self = .unknown
        }
    }

    /// Railway `DeploymentStatus` (docs/platforms.md).
    public init(railway raw: String) {
        switch raw {
        case "QUEUED", "INITIALIZING", "WAITING": self = .queued
        case "BUILDING": self = .building
        case "DEPLOYING": self = .deploying
        case "SUCCESS", "SLEEPING": self = .ready
        case "FAILED": self = .failed
        case "CRASHED": self = .crashed
        case "REMOVING", "REMOVED", "SKIPPED": self = .removed
        case "NEEDS_APPROVAL": self = .blocked
        default: self = .unknown
        }
    }
}
