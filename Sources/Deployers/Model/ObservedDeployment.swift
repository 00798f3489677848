public import ClipnetContracts
public import Foundation

/// One deployment as the platform reports it: what the reconciler compares with the desired state.
public struct ObservedDeployment: Sendable, Hashable {
    public var id: DeploymentID
    public var service: ServiceName
    public var platform: Platform
    /// The full commit id it was built from (git services), if the platform says.
    public var commitSha: String?
    /// The image reference it runs (`registry/name:tag`, image services).
    public var image: String?
    public var status: DeploymentStatus
    /// The platform's own status value (`READY`, `SUCCESS`, `CRASHED`, …).
    public var rawStatus: String
    /// The deployment's URL with scheme, if it has one.
    public var url: String?
    public var createdAt: Date?
    /// The rollout that created it, when the platform keeps metadata the reconciler set (Vercel `meta`).
    public var rolloutID: String?
    /// Where a person sees it in the platform's dashboard (Vercel `inspectorUrl`; Railway: the
    /// service's page), for links next to a failure.
    public var dashboardURL: String?
    /// Vercel: when the build started (`buildingAt`) and when the deployment became ready
    /// (`ready`): the platform's own timing of the build.
    public var buildingAt: Date? = nil
    public var readyAt: Date? = nil

    public init(
        id: DeploymentID, service: ServiceName, platform: Platform, commitSha: String?, image: String?, status: DeploymentStatus,
        rawStatus: String, url: String?, createdAt: Date?, rolloutID: String? = nil, dashboardURL: String? = nil
    ) {
        self.dashboardURL = dashboardURL
        self.id = id
        self.service = service
        self.platform = platform
        self.commitSha = commitSha
        self.image = image
        self.status = status
        self.rawStatus = rawStatus
        self.url = url
        self.createdAt = createdAt
        self.rolloutID = rolloutID
    }

    /// The tag of `image` (after the last `:` of the last path component), if any.
    public var imageTag: String? {
        guard let image, let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return nil }
        return String(image[image.index(after: colon)...])
    }
}
