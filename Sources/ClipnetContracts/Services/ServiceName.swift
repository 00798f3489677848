/// The services of a CLIPNET environment that the reconciler deploys, in rollout order.
///
/// Why here: the manifest, the rollout machine, the drift detector, the store's records, `/status`
/// and the CLI all name services; this is the one list. A new service is a case here and a row in
/// `platform` below.
public enum ServiceName: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    /// The Vercel frontend (`staging.clipnet.ai`).
    case frontend
    /// The Railway API service.
    case api
    /// The Railway worker service.
    case worker

    public var description: String { rawValue }

    /// The platform that hosts the service: the one table binding services to platforms.
    public var platform: Platform {
        switch self {
        case .frontend: .vercel
        case .api, .worker: .railway
        }
    }

    /// The backend: the services deployed and verified together before the frontend's alias
    /// moves (they must run the same version tag).
    public static let backend: [ServiceName] = allCases.filter { $0 != .frontend }

    /// The services hosted on `platform`, in rollout order.
    public static func hosted(on platform: Platform) -> [ServiceName] {
        allCases.filter { $0.platform == platform }
    }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The hosting platforms the reconciler deploys to.
public enum Platform: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case vercel
    case railway

    public var description: String { rawValue }
}
