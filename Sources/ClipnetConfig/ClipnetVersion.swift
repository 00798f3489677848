/// The version both binaries report (`reconciler --version`, `clipnet-worker --version`): one
/// place, bumped with each release of this repository.
public enum ClipnetVersion {
    public static let current = "0.9.0"
}
