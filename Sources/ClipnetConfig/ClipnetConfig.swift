/// Manifests, layering, secret references and the staging/production isolation policy.
///
/// Shared by the reconciler (preflight, drift, `reconciler validate`) and the worker (start-up
/// guard), so it knows nothing of git or of any platform API: callers hand it file contents and
/// environment values, and it hands back typed, validated configuration or positioned diagnostics.
/// The format is documented in `docs/configuration.md`.
public enum ClipnetConfig {
    /// The manifest format version this module reads (`version:` in the manifests).
    public static let manifestVersion = 1
}
