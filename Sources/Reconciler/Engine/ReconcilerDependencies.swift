import ClipnetConfig
import GitWatch
import Logging
import Synchronization

/// What every step of a pass uses, for as long as the daemon runs.
public struct ReconcilerDependencies: Sendable {
    public var environment: String
    public var branch: String
    /// The manifest folder inside the repository (`deploy`).
    public var manifestDirectory: String
    public var mirror: GitMirror
    /// The watched branch's head as last fetched (the watcher's status).
    public var head: @Sendable () -> CommitID?
    public var secrets: SecretStore
    /// Production's secret-backed identifiers, produced where its secrets live.
    public var otherFingerprints: IsolationFingerprints?
    public var connector: PlatformConnector
    public var probes: ServiceProbes
    public var settings: ReconcileSettings
    public var logger: Logger
    /// The last revision's preflight, so a steady-state pass does not re-read and re-parse the
    /// manifests of a revision it has already checked.
    let preflightCache = PreflightCache()

    public init(
        environment: String, branch: String, manifestDirectory: String = ManifestLoader.defaultDirectory, mirror: GitMirror,
        head: @escaping @Sendable () -> CommitID?, secrets: SecretStore, otherFingerprints: IsolationFingerprints? = nil,
        connector: PlatformConnector, probes: ServiceProbes, settings: ReconcileSettings = ReconcileSettings(),
        logger: Logger = Logger(label: "clipnet.reconciler")
    ) {
        self.environment = environment
        self.branch = branch
        self.manifestDirectory = manifestDirectory
        self.mirror = mirror
        self.head = head
        self.secrets = secrets
        self.otherFingerprints = otherFingerprints
        self.connector = connector
        self.probes = probes
        self.settings = settings
        self.logger = logger
    }
}

/// The preflight result of the last revision checked.
final class PreflightCache: Sendable {
    private let entry = Mutex<(revision: String, result: ConfigurationPreflight.Result)?>(nil)

    func result(for revision: String) -> ConfigurationPreflight.Result? {
        entry.withLock { $0?.revision == revision ? $0?.result : nil }
    }

    func store(_ result: ConfigurationPreflight.Result, for revision: String) {
        entry.withLock { $0 = (revision, result) }
    }
}
