import ClipnetConfig
import Foundation
import GitWatch
import Logging
import Synchronization

/// What every pass uses, for as long as the daemon runs. Each outside world is behind a protocol
/// (the repository, the platforms, the probes, the clock), so the same pass runs against git,
/// Vercel, Railway and Redis in the daemon, and against in-memory stand-ins in the simulation.
public struct ReconcilerDependencies: Sendable {
    public var environment: String
    public var branch: String
    /// The manifest folder inside the repository (`deploy`).
    public var manifestDirectory: String
    public var repository: any ManifestRepository
    /// The watched branch's head as last fetched (the watcher's status).
    public var head: @Sendable () -> CommitID?
    public var secrets: SecretStore
    /// Production's secret-backed identifiers, produced where its secrets live.
    public var otherFingerprints: IsolationFingerprints?
    public var connector: any PlatformConnecting
    public var probes: any ServiceProbing
    public var settings: ReconcileSettings
    public var logger: Logger
    /// The time now: the wall clock in the daemon, a virtual one in the simulation.
    public var now: @Sendable () -> Date
    /// Checked manifests per revision, refusals included, so a steady-state pass neither re-reads
    /// nor re-parses what it has already checked.
    let preflightCache = PreflightCache()

    public init(
        environment: String, branch: String, manifestDirectory: String = ManifestLoader.defaultDirectory,
        repository: any ManifestRepository, head: @escaping @Sendable () -> CommitID?, secrets: SecretStore,
        otherFingerprints: IsolationFingerprints? = nil, connector: any PlatformConnecting, probes: any ServiceProbing,
        settings: ReconcileSettings = ReconcileSettings(), logger: Logger = Logger(label: "clipnet.reconciler"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.branch = branch
        self.manifestDirectory = manifestDirectory
        self.repository = repository
        self.head = head
        self.secrets = secrets
        self.otherFingerprints = otherFingerprints
        self.connector = connector
        self.probes = probes
        self.settings = settings
        self.logger = logger
        self.now = now
    }
}

/// The preflight outcome of the last few revisions checked: a success, or the refusal (a bad
/// manifest committed to the branch is refused once, not re-parsed every pass).
final class PreflightCache: Sendable {
    private let entries = Mutex<[(revision: String, outcome: Result<ConfigurationPreflight.Result, ReconcileError>)]>([])
    private let limit = 8

    func outcome(for revision: String) -> Result<ConfigurationPreflight.Result, ReconcileError>? {
        entries.withLock { $0.first { $0.revision == revision }?.outcome }
    }

    func store(_ outcome: Result<ConfigurationPreflight.Result, ReconcileError>, for revision: String) {
        entries.withLock { entries in
            entries.removeAll { $0.revision == revision }
            entries.insert((revision, outcome), at: 0)
            if entries.count > limit { entries.removeLast(entries.count - limit) }
        }
    }
}
