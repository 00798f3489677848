public import ClipnetConfig

/// How the reconciler paces and bounds a rollout; from the daemon configuration's `reconcile`
/// section. The manifest's own `rollout` timings (deploy timeout, health window) stay in the
/// manifest, so they change with the revision that changes them.
public struct ReconcileSettings: Sendable {
    /// How soon a pass runs again while a rollout waits on a build, a version or a health window.
    public var rolloutPollInterval: Duration
    /// How long the API and the worker may take to report the new revision after deploying.
    public var verifyTimeout: Duration
    public var workerVersionSource: DaemonConfiguration.WorkerVersionSource
    /// Consecutive failed health checks that fail the health gate.
    public var healthFailureThreshold: Int
    /// Consecutive passes failing with a retryable platform error before the rollout fails.
    public var transientFailureLimit: Int
    /// Bound on one version, health or Redis probe.
    public var probeTimeout: Duration
    /// While a rollout waits on builds, only the deployments it waits on are polled; everything
    /// else is observed at most this often (the drift interval), to stay within the platforms'
    /// request budgets.
    public var observeInterval: Duration
    /// While idle, a drift check within this long of the last full observation reads only the
    /// cheap signals (`QuickLook`) and observes in full only when one moved. Zero: every drift
    /// check observes in full.
    public var fullObserveInterval: Duration
    /// How often the known-good records a rollback may go back to are checked for readiness
    /// (`RollbackReadinessBook`). Zero: only when a re-point starts.
    public var readinessInterval: Duration
    /// What a re-point to a record no longer rollback-ready does.
    public var expiredRollback: DaemonConfiguration.ExpiredRollback
    /// Lines of a failed build's log kept with the failed rollout (0: none are read).
    public var failureLogLines: Int

    public init(
        rolloutPollInterval: Duration = .seconds(5), verifyTimeout: Duration = .seconds(300),
        workerVersionSource: DaemonConfiguration.WorkerVersionSource = .heartbeat, healthFailureThreshold: Int = 2,
        transientFailureLimit: Int = 5, probeTimeout: Duration = .seconds(5), observeInterval: Duration = .seconds(60),
        fullObserveInterval: Duration = .zero, readinessInterval: Duration = .zero, expiredRollback: DaemonConfiguration.ExpiredRollback = .rebuild,
        failureLogLines: Int = 50
    ) {
        self.failureLogLines = min(500, max(0, failureLogLines))
        self.readinessInterval = readinessInterval
        self.expiredRollback = expiredRollback
        self.fullObserveInterval = fullObserveInterval
        self.observeInterval = observeInterval
        self.rolloutPollInterval = rolloutPollInterval
        self.verifyTimeout = verifyTimeout
        self.workerVersionSource = workerVersionSource
        self.healthFailureThreshold = max(1, healthFailureThreshold)
        self.transientFailureLimit = max(1, transientFailureLimit)
        self.probeTimeout = probeTimeout
    }

    public init(_ reconcile: DaemonConfiguration.Reconcile) {
        self.init(
            rolloutPollInterval: reconcile.rolloutPollInterval, verifyTimeout: reconcile.verifyTimeout,
            workerVersionSource: reconcile.workerVersionSource, healthFailureThreshold: reconcile.healthFailureThreshold,
            transientFailureLimit: reconcile.transientFailureLimit, probeTimeout: reconcile.probeTimeout,
            observeInterval: reconcile.driftInterval, fullObserveInterval: reconcile.fullObserveInterval,
            readinessInterval: reconcile.readinessInterval, expiredRollback: reconcile.expiredRollback,
            failureLogLines: reconcile.failureLogLines)
    }
}
