/// Manifests, layering, secret references and the staging/production isolation policy.
/// Filled by the configuration issue.
public enum ClipnetConfig {}
