public import ClipnetContracts
public import Deployers

/// The deployers of one environment, built from its manifest at the revision a pass works on:
/// Vercel for the frontend, Railway for the API and the worker.
public struct Platforms: Sendable {
    public let vercel: any PlatformDeployer
    public let railway: any PlatformDeployer

    public init(vercel: any PlatformDeployer, railway: any PlatformDeployer) {
        self.vercel = vercel
        self.railway = railway
    }

    /// The deployer of the platform that hosts `service` (`ServiceName.platform`, the one table).
    public func deployer(for service: ServiceName) -> any PlatformDeployer {
        switch service.platform {
        case .vercel: vercel
        case .railway: railway
        }
    }
}
