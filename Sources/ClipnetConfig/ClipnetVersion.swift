/// The version both binaries report (`reconciler --version`, `clipnet-worker --version`): one
/// place, bumped with each release of this repository.
public enum ClipnetVersion {
    public static let current = "0.9.0"

    /// The commit the binary was built from: `BuildCommit.id`, which `make dist`
    /// (scripts/make-dist.sh) stamps for the release build and restores afterwards; `nil` in any
    /// other build (a plain `swift build`, a tarball of the sources without git).
    public static let commit: String? = BuildCommit.id

    /// What `--version` prints: "0.9.0 (commit 0123456789ab)", or "0.9.0 (commit unknown)" when
    /// the build was not stamped.
    public static let described = "\(current) (commit \(commit ?? "unknown"))"
}
