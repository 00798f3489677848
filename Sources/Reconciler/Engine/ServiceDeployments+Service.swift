import Deployers
import KnownGoodStore

extension ServiceDeployments {
    /// The deployment id recorded for `service`.
    public subscript(service: ServiceName) -> String? {
        get {
            switch service {
            case .frontend: frontend
            case .api: api
            case .worker: worker
            }
        }
        set {
            switch service {
            case .frontend: frontend = newValue
            case .api: api = newValue
            case .worker: worker = newValue
            }
        }
    }

    /// `frontend dpl_1, api 4f2c…, worker 9a1b…`: for history details and logs.
    var summary: String {
        ServiceName.allCases.compactMap { service in self[service].map { "\(service) \($0)" } }.joined(separator: ", ")
    }
}

/// The first 12 characters of a revision, for messages.
func short(_ revision: String) -> String { String(revision.prefix(12)) }

/// Revisions compare case-insensitively, and a short id matches the full id it prefixes.
func sameRevision(_ a: String?, _ b: String?) -> Bool {
    guard let a = a?.lowercased(), let b = b?.lowercased() else { return false }
    guard min(a.count, b.count) >= 7 else { return a == b }
    return a.hasPrefix(b) || b.hasPrefix(a)
}
