// The commit the binaries were built from. This committed default says "not stamped";
// scripts/make-dist.sh overwrites the file for the release build of `make dist` and restores it
// afterwards, so a clone or a source tarball without git still builds.
enum BuildCommit {
    static let id: String? = nil
}
