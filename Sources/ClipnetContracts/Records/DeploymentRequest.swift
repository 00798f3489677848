public import Foundation

/// A GitHub deployment request for this environment made by someone other than the daemon (the
/// "deploy this build" of the branching strategy): it marks `revision` for the environment until
/// a newer request replaces it or an operator runs `reconciler unmark`. The daemon reports the
/// rollout it starts on this same deployment, so the person who asked sees it go live.
public struct DeploymentRequest: Codable, Sendable, Equatable, Hashable {
    /// The full commit id the deployment names.
    public var revision: String
    /// GitHub's deployment id.
    public var deployment: Int64
    /// Who created the deployment on GitHub (its `creator.login`).
    public var by: String
    /// The ref the request named (a branch, a tag or the sha itself), as GitHub sent it.
    public var ref: String?
    /// When the daemon took the request.
    public var at: Date

    public init(revision: String, deployment: Int64, by: String, ref: String?, at: Date) {
        self.revision = revision
        self.deployment = deployment
        self.by = by
        self.ref = ref
        self.at = at
    }

    /// How status, history and notifications name the request.
    public var words: String { "GitHub deployment \(deployment) by \(by)" }
}
