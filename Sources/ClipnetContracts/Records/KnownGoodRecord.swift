public import Foundation

/// A revision that rolled out completely and passed the health gate.
public struct KnownGoodRecord: Codable, Sendable, Equatable, Hashable {
    /// Full 40-hex commit id.
    public var revision: String
    public var at: Date
    public var deployments: ServiceDeployments

    public init(revision: String, at: Date, deployments: ServiceDeployments) {
        self.revision = revision
        self.at = at
        self.deployments = deployments
    }
}
