public import ClipnetContracts

/// What to deploy: one service at one revision, on behalf of one rollout.
public struct DeployRequest: Sendable, Hashable {
    public var service: ServiceName
    /// The full 40-hex commit id R.
    public var revision: String
    /// The version tag shared by the services of one rollout (R's commit id unless the manifest
    /// says otherwise); image services deploy the image with this tag.
    public var versionTag: String
    /// The rollout's id: stamped on the deployment where the platform allows (Vercel `meta`), so a
    /// retried or resumed call finds the deployment it already created.
    public var rolloutID: String

    public init(service: ServiceName, revision: String, versionTag: String? = nil, rolloutID: String) {
        self.service = service
        self.revision = revision.lowercased()
        self.versionTag = versionTag ?? revision.lowercased()
        self.rolloutID = rolloutID
    }

    /// Whether `revision` is a full commit id (both platforms want the full sha, docs/platforms.md).
    var hasFullRevision: Bool { CommitID(revision) != nil }
}
