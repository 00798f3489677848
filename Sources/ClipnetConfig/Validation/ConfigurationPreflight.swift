/// What the reconciler calls at step 1 of a rollout (and before `plan`), before touching any
/// platform: load the environment's manifest at the revision, resolve its secrets, and check it
/// against the other environment's identifiers. Any failure throws and nothing is deployed.
public enum ConfigurationPreflight {
    /// The outcome the rollout deploys from.
    public struct Result: Sendable {
        public let resolved: ResolvedManifest
        /// The other environment's fingerprints the manifest was checked against: its plain
        /// identifiers from its manifest at the same revision, plus `otherFingerprints`.
        public let denied: IsolationFingerprints
        public let policy: IsolationPolicy

        /// The variable to set on the worker so its start-up guard knows production (only for a
        /// non-production environment): `CLIPNET_PRODUCTION_FINGERPRINTS` = compact JSON.
        public var workerFingerprintsVariable: (name: String, value: String)? {
            guard denied.environment == EnvironmentConventions.production else { return nil }
            return (IsolationFingerprints.environmentVariable, denied.jsonString())
        }
    }

    /// - Parameters:
    ///   - environment: the environment to deploy.
    ///   - directory: the manifest directory in the repository.
    ///   - read: reads a repository path at the revision being deployed (nil if absent).
    ///   - secrets: the daemon's environment and secrets file.
    ///   - otherFingerprints: fingerprints of the other environment's secret-backed identifiers
    ///     (Redis, PostgreSQL, OAuth), produced where its secrets live (`reconciler validate
    ///     --write-fingerprints`); its plain identifiers are read from its manifest.
    /// - Throws: `ConfigError`: `.invalidManifest`, `.unresolvedSecrets`, `.isolationViolation`.
    public static func run(
        environment: String,
        directory: String = ManifestLoader.defaultDirectory,
        read: (String) throws -> String?,
        secrets: SecretStore,
        otherFingerprints: IsolationFingerprints? = nil,
        resolver: HostResolver = .none
    ) throws -> Result {
        let loaded = try ManifestLoader.load(environment: environment, directory: directory, read: read)
        let resolved = try SecretResolver.resolve(loaded, from: secrets)
        let other = EnvironmentConventions.counterpart(of: environment)
        var denied = IsolationFingerprints(environment: other, entries: [])
        let otherFile = ManifestLoader.environmentFile(other, in: directory)
        if try read(otherFile) != nil {
            let otherLoaded = try ManifestLoader.load(environment: other, directory: directory, read: read)
            denied = denied.merging(IsolationFingerprints(of: otherLoaded, resolver: resolver))
        } else if otherFingerprints == nil {
            throw ConfigError(
                .invalidManifest,
                "cannot check isolation: \(otherFile) is absent and no \(other) fingerprints were given")
        }
        if let otherFingerprints {
            guard otherFingerprints.environment == other else {
                throw ConfigError(
                    .invalidFingerprints,
                    "the fingerprints describe '\(otherFingerprints.environment)'; expected \(other)'s")
            }
            denied = denied.merging(otherFingerprints)
        }
        let policy = IsolationPolicy(environment: environment, denied: denied, resolver: resolver)
        try policy.check(resolved)
        return Result(resolved: resolved, denied: denied, policy: policy)
    }
}
