/// The services of a CLIPNET environment that the reconciler deploys.
public enum ServiceName: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The Vercel frontend (`staging.clipnet.ai`).
    case frontend
    /// The Railway API service.
    case api
    /// The Railway worker service.
    case worker

    public var description: String { rawValue }
}

/// The hosting platform behind a deployer.
public enum Platform: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case vercel
    case railway

    public var description: String { rawValue }
}
