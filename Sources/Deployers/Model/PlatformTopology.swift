public import ClipnetContracts

/// What exists on a platform for this environment: used to check that the manifest's ids name real
/// services before a rollout, and to report missing ones as drift.
public struct PlatformTopology: Sendable, Hashable {
    public struct Resource: Sendable, Hashable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var platform: Platform
    public var project: Resource
    /// Railway services; for Vercel the project itself (one project per frontend).
    public var services: [Resource]
    /// Railway environments; for Vercel the deployment target in use.
    public var environments: [Resource]

    public init(platform: Platform, project: Resource, services: [Resource], environments: [Resource]) {
        self.platform = platform
        self.project = project
        self.services = services
        self.environments = environments
    }
}
