public import ClipnetContracts
import ClipnetJSON
import HTTPTransport

/// The project: topology and the (absent) auto-deploy switch.
extension VercelDeployer {
    /// `GET /v9/projects/{id}`: the project is the one frontend service.
    public func topology() async throws -> PlatformTopology {
        let json = try await call(.get, "/v9/projects/\(Self.encode(configuration.projectId))", operation: "getProject")
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue else {
            throw invalidResponse("getProject", "no `id`/`name` in the project")
        }
        let project = PlatformTopology.Resource(id: id, name: name)
        let environment: String
        switch configuration.target {
        case .preview: environment = "preview"
        case .production: environment = "production"
        case .staging: environment = "staging"
        case .customEnvironment(let slug): environment = slug
        }
        return PlatformTopology(platform: .vercel, project: project, services: [project], environments: [.init(id: environment, name: environment)])
    }

    /// Vercel has no API switch for deploy-on-push (docs/platforms.md): it is `git.deploymentEnabled`
    /// in the repository's `vercel.json`, or the project's Ignored Build Step. Reports the Ignored
    /// Build Step setting read from `GET /v9/projects/{id}`.
    public func autoDeploy(of service: ServiceName) async throws -> AutoDeployState {
        try requireFrontend(service, "getProject")
        let json = try await call(.get, "/v9/projects/\(Self.encode(configuration.projectId))", operation: "getProject")
        let ignore = json["commandForIgnoringBuildStep"]?.stringValue
        return AutoDeployState(
            service: .frontend, enabled: nil, canSwitchOff: false,
            detail: "Vercel has no API switch for deploying on push: set \"git\": {\"deploymentEnabled\": false} in vercel.json "
                + "(per branch if needed) or an Ignored Build Step in the project settings"
                + (ignore.map { "; the project's Ignored Build Step is set (\($0.count) characters)" } ?? "; no Ignored Build Step is set")
        )
    }

    /// Does not change anything: whether `git.deploymentEnabled: false` or an Ignored Build Step
    /// also blocks API deployments is UNCONFIRMED (docs/platforms.md), so setting one from here
    /// could stop the reconciler's own deployments. Returns the guidance of `autoDeploy(of:)`.
    public func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState {
        try await autoDeploy(of: service)
    }
}
