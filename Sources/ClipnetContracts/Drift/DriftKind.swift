/// The kinds of drift, each with a policy in the manifest (heal or report): the one list the
/// manifest format, the detector, status, metrics and the page all use.
public enum DriftKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// A service runs another revision than the desired one.
    case revision
    /// The API and the worker run different revisions or version tags.
    case versionSkew
    /// The frontend domain points at another deployment than the desired one.
    case alias
    /// A platform's variables differ from the manifest (missing, extra or changed, by hash).
    case variables
    /// The platform project's services differ from the spec (missing, duplicated, unexpected).
    case topology
    /// A platform's own auto-deploy is on, so it would deploy behind the reconciler's back.
    case autoDeploy
    /// A live variable names a production resource.
    case isolation

    public static func < (lhs: DriftKind, rhs: DriftKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
