public import ClipnetConfig
import ClipnetContracts
import Deployers

/// Builds the platform clients for the manifest at the revision a pass works on.
/// `PlatformConnector` talks to Vercel and Railway (or their emulators); the simulation hands
/// out in-memory platforms.
public protocol PlatformConnecting: Sendable {
    /// - Throws: `ReconcileError` (stalled) when a token is missing.
    func platforms(for manifest: Manifest) throws -> Platforms
    /// Each platform's token variable and whether the daemon's environment sets it.
    var tokens: [PlatformAccess.Token] { get }
}

extension PlatformConnecting {
    /// Both tokens set (connectors without real tokens: the simulation).
    public var tokens: [PlatformAccess.Token] {
        [.init(platform: .vercel, tokenEnv: "VERCEL_TOKEN", isSet: true), .init(platform: .railway, tokenEnv: "RAILWAY_TOKEN", isSet: true)]
    }
}

extension PlatformConnector: PlatformConnecting {
    public var tokens: [PlatformAccess.Token] {
        [
            .init(platform: .vercel, tokenEnv: vercelTokenEnv, isSet: !(vercelToken ?? "").isEmpty),
            .init(platform: .railway, tokenEnv: railwayTokenEnv, isSet: !(railwayToken?.value ?? "").isEmpty),
        ]
    }
}
