public import ClipnetContracts

/// Whether the platform deploys a service by itself on a git push, racing the reconciler.
public struct AutoDeployState: Sendable, Hashable {
    public var service: ServiceName
    /// true/false when the platform says; nil when it cannot be read through the API (Vercel: the
    /// repository's `vercel.json` decides).
    public var enabled: Bool?
    /// Whether `disableAutoDeploy` can switch it off through the API.
    public var canSwitchOff: Bool
    /// What the operator should know or do (never a secret).
    public var detail: String

    public init(service: ServiceName, enabled: Bool?, canSwitchOff: Bool, detail: String) {
        self.service = service
        self.enabled = enabled
        self.canSwitchOff = canSwitchOff
        self.detail = detail
    }
}
