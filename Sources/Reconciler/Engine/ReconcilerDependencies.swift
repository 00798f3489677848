public import ClipnetConfig
public import ClipnetContracts
public import Foundation
public import GitWatch
public import Logging
import Synchronization

/// What every pass uses, for as long as the daemon runs. Each outside world is behind a protocol
/// (the repository, the platforms, the probes, the clock), so the same pass runs against git,
/// Vercel, Railway and Redis in the daemon, and against in-memory stand-ins in the simulation.
public struct ReconcilerDependencies: Sendable {
    /// What the environment follows when nothing is pinned: the marked commit, else the head.
    public func followed() -> CommitID? { mark()?.commit ?? head() }

    public var environment: String
    public var branch: String
    /// The manifest folder inside the repository (`deploy`).
    public var manifestDirectory: String
    public var repository: any ManifestRepository
    /// The watched branch's head as last fetched (the watcher's status).
    public var head: @Sendable () -> CommitID?
    /// The commit a tag marks for the environment, as last fetched (`repository.markTags`).
    public var mark: @Sendable () -> MarkedRevision? = { nil }
    public var secrets: SecretStore
    /// Production's secret-backed identifiers, produced where its secrets live.
    public var otherFingerprints: IsolationFingerprints?
    /// How the isolation check resolves host names (the daemon: the system resolver, bounded).
    public var hostResolver: HostResolver
    public var connector: any PlatformConnecting
    public var probes: any ServiceProbing
    public var settings: ReconcileSettings
    public var logger: Logger
    /// The time now: the wall clock in the daemon, a virtual one in the simulation.
    public var now: @Sendable () -> Date
    /// Checked manifests per revision and per content, refusals included, so a steady-state pass
    /// neither re-reads nor re-parses what it has already checked.
    public var preflightCache: PreflightCache
    /// The release gate (CI checks before any platform change); nil: off.
    public var gate: ReleaseGate?

    public init(
        environment: String, branch: String, manifestDirectory: String = ManifestLoader.defaultDirectory,
        repository: any ManifestRepository, head: @escaping @Sendable () -> CommitID?, secrets: SecretStore,
        otherFingerprints: IsolationFingerprints? = nil, connector: any PlatformConnecting, probes: any ServiceProbing,
        settings: ReconcileSettings = ReconcileSettings(), logger: Logger = Logger(label: "clipnet.reconciler"),
        now: @escaping @Sendable () -> Date = { Date() }, preflightCache: PreflightCache = PreflightCache(),
        hostResolver: HostResolver = .none
    ) {
        self.hostResolver = hostResolver
        self.preflightCache = preflightCache
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

/// Preflight outcomes, a refusal included, by revision and by the manifests' contents: most
/// commits do not touch `deploy/`, so a new revision with the same manifests is not parsed again.
/// One cache belongs to one configuration (environment, secrets): share it only between
/// reconcilers that have the same.
public final class PreflightCache: Sendable {
    typealias Outcome = Result<ConfigurationPreflight.Result, ReconcileError>
    private struct Entries {
        var byRevision: [(revision: String, outcome: Outcome)] = []
        var byContent: [(key: String, outcome: Outcome)] = []
    }

    private let entries = Mutex(Entries())
    private let limit = 16

    public init() {}

    func outcome(for revision: String) -> Outcome? {
        entries.withLock { $0.byRevision.first { $0.revision == revision }?.outcome }
    }

    func outcome(forContent key: String) -> Outcome? {
        entries.withLock { $0.byContent.first { $0.key == key }?.outcome }
    }

    /// - Parameters:
    ///   - outcome: for `revision`, as returned to the pass.
    ///   - general: the same, kept by content (a refusal names no revision).
    func store(_ outcome: Outcome, for revision: String, content key: String, general: Outcome) {
        entries.withLock { entries in
            entries.byRevision.removeAll { $0.revision == revision }
            entries.byRevision.insert((revision, outcome), at: 0)
            if entries.byRevision.count > limit { entries.byRevision.removeLast(entries.byRevision.count - limit) }
            entries.byContent.removeAll { $0.key == key }
            entries.byContent.insert((key, general), at: 0)
            if entries.byContent.count > limit { entries.byContent.removeLast(entries.byContent.count - limit) }
        }
    }
}
