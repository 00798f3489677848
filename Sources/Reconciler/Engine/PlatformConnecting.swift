import ClipnetConfig

/// Builds the platform clients for the manifest at the revision a pass works on.
/// `PlatformConnector` talks to Vercel and Railway (or their emulators); the simulation hands
/// out in-memory platforms.
public protocol PlatformConnecting: Sendable {
    /// - Throws: `ReconcileError` (stalled) when a token is missing.
    func platforms(for manifest: Manifest) throws -> Platforms
}

extension PlatformConnector: PlatformConnecting {}
