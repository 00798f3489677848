public import ClipnetContracts
import DriftDetector
public import Foundation
import GitWatch
import KnownGoodStore
import Reconciler

/// A realistic staging environment in the middle of a day: a known-good revision serving, a
/// newer commit rolling out (waiting on a Railway build), drift on the worker, the worker's
/// Cloudinary folder missing, and a history of rollouts, a failure rolled back, and a pin. What
/// the route tests, the status page screenshot and the `/status` benchmark serve.
public enum SampleEnvironment {
    /// Revisions on `develop`, oldest first; `head` is the last.
    public static let branchRevisions = [
        "5d41402abc4b2a76b9719d911017c592e3a1f6b0",
        "7c4a8d09ca3762af61e59520943dc26494f8941b",
        "b6589fc6ab0dc82cf12099d1c2d40ab994e8410c",
        "356a192b7913b04c54574d18c28d46e6395428ab",
        "da4b9237bacccdf19c0760cab7aec4a8359010b0",
        "77de68daecd823babbb58edb1c8e14d7106e83bb",
    ]
    /// A commit that exists but is not on the branch (a feature branch).
    public static let featureRevision = "1b6453892473a467d07372d45eb05abc2031647a"
    /// What the branch head is: the commit rolling out.
    public static var head: String { branchRevisions[5] }
    /// The known-good revision serving now.
    public static var knownGood: String { branchRevisions[4] }
    /// The known-good revision before it.
    public static var previousKnownGood: String { branchRevisions[2] }
    /// A revision that failed its rollout and was rolled back.
    public static var failedRevision: String { branchRevisions[3] }

    /// A fixed "now", so documents and pages are the same on every run.
    public static let now = Date(timeIntervalSince1970: 1_796_032_800)  // 2026-11-30T10:00:00Z

    /// - Parameters:
    ///   - anchor: the moment the sample's times are relative to (the rollout started 3 minutes
    ///     before it); the fixed `SampleEnvironment.now` by default.
    ///   - now: the clock of later actions (pins, rollbacks).
    public static func model(
        anchor: Date = SampleEnvironment.now, now: @escaping @Sendable () -> Date = { SampleEnvironment.now }
    ) -> FakeReconcilerControl.Model {
        let base = anchor
        func ago(_ minutes: Double) -> Date { base.addingTimeInterval(-minutes * 60) }

        var state = EnvironmentState()
        state.recordKnownGood(
            KnownGoodRecord(
                revision: previousKnownGood, at: ago(26 * 60),
                deployments: .init(
                    frontend: "dpl_3KpQm2Vx9TzRb7", api: "a41f0c2e-1b7d-4c5e-9d3a-6f8e2b1c0d4a", worker: "c93e7b1d-5f2a-4e8c-b6d0-2a9f4c7e1b35")))
        state.recordKnownGood(
            KnownGoodRecord(
                revision: knownGood, at: ago(95),
                deployments: .init(
                    frontend: "dpl_9WnXe4Lc2HsYd1", api: "e7b2d9f4-3c1a-4b8e-a5d6-0f9c2e7b4a13", worker: "2f8c1a6e-9d3b-4e7f-8a2c-5b1d6e9f0c47")))
        state.recordFailure(
            FailedRevision(revision: failedRevision, at: ago(140), reason: "worker build failed: exit code 1 in `swift build`", phase: .deployBackend)
        )
        state.rollout = RolloutRecord(
            id: "ro-2026-11-30-0007", revision: head, phase: .deployBackend, startedAt: ago(3), updatedAt: ago(0.5),
            deployments: .init(api: "5a1c9e3f-7b2d-4f6a-8c0e-3d9b1f5a7c26"))

        var watch = WatchStatus(branch: "develop")
        watch.head = CommitID(head)
        watch.lastAttemptAt = ago(0.2)
        watch.lastSuccessAt = ago(0.2)

        let pass = PassReport(
            result: .waiting(retryAfter: .seconds(10)), step: "deployBackend", message: "waiting for the Railway build of api and worker",
            reason: nil, startedAt: ago(0.3), duration: .milliseconds(412), steps: [])

        let services: [StatusDocument.Service] = [
            .init(
                name: "frontend", platform: "vercel", revision: knownGood, deploymentId: "dpl_9WnXe4Lc2HsYd1", status: "READY", healthy: true,
                revisionSource: "platform"),
            .init(
                name: "api", platform: "railway", revision: knownGood, deploymentId: "e7b2d9f4-3c1a-4b8e-a5d6-0f9c2e7b4a13", status: "SUCCESS",
                healthy: true, revisionSource: "versionEndpoint"),
            .init(
                name: "worker", platform: "railway", revision: previousKnownGood, deploymentId: "2f8c1a6e-9d3b-4e7f-8a2c-5b1d6e9f0c47",
                status: "SUCCESS", healthy: true, revisionSource: "heartbeat",
                detail: "2 live worker(s): \(previousKnownGood.prefix(12)) ×2"),
        ]
        let drift: [Drift] = [
            Drift(
                kind: .versionSkew, service: "worker", detail: "worker reports \(previousKnownGood.prefix(12)), api reports \(knownGood.prefix(12))"),
            Drift(kind: .autoDeploy, service: "worker", detail: "Railway auto-deploy from GitHub is on for worker"),
        ]

        var history: [HistoryEntry] = []
        func add(
            _ minutes: Double, _ kind: HistoryKind, _ revision: String?, by: String? = nil, reason: String? = nil, rollout: String? = nil,
            detail: String? = nil
        ) {
            history.append(
                HistoryEntry(
                    sequence: Int64(history.count + 1), at: ago(minutes), kind: kind, revision: revision, by: by, reason: reason, rolloutID: rollout,
                    detail: detail))
        }
        add(26 * 60 + 9, .rolloutStarted, previousKnownGood, by: "reconciler", rollout: "ro-2026-11-29-0004")
        add(26 * 60, .knownGood, previousKnownGood, by: "reconciler", rollout: "ro-2026-11-29-0004")
        add(150, .rolloutStarted, failedRevision, by: "reconciler", rollout: "ro-2026-11-30-0005")
        add(
            140, .rolloutFailed, failedRevision, by: "reconciler", reason: "worker build failed: exit code 1 in `swift build`",
            rollout: "ro-2026-11-30-0005", detail: "phase deployBackend")
        add(
            139, .rolledBack, previousKnownGood, by: "reconciler", reason: "automatic rollback after a failed rollout", rollout: "ro-2026-11-30-0005",
            detail: "re-pointed api, worker and frontend at their recorded deployments")
        add(120, .pinned, previousKnownGood, by: "alice", reason: "hold staging while the worker build is fixed")
        add(104, .unpinned, previousKnownGood, by: "alice", reason: "worker build fixed in da4b923")
        add(103, .rolloutStarted, knownGood, by: "reconciler", rollout: "ro-2026-11-30-0006")
        add(95, .knownGood, knownGood, by: "reconciler", rollout: "ro-2026-11-30-0006")
        // The entry that ended a rollout carries its commit's time and its timeline.
        history[history.count - 1].commitAt = ago(118)
        history[history.count - 1].timeline = [
            PhaseSpan(phase: .syncVariables, startedAt: ago(103), endedAt: ago(102.99)),
            PhaseSpan(phase: .deployBackend, startedAt: ago(102.99), endedAt: ago(99)),
            PhaseSpan(phase: .verifyBackend, startedAt: ago(99), endedAt: ago(98.9)),
            PhaseSpan(phase: .deployFrontend, startedAt: ago(98.9), endedAt: ago(97)),
            PhaseSpan(phase: .healthGate, startedAt: ago(97), endedAt: ago(95)),
            PhaseSpan(phase: .markKnownGood, startedAt: ago(95), endedAt: ago(95)),
            PhaseSpan(phase: .succeeded, startedAt: ago(95), endedAt: ago(95)),
        ]
        add(40, .driftHealed, knownGood, by: "reconciler", detail: "alias staging.clipnet.ai re-pointed at dpl_9WnXe4Lc2HsYd1")
        add(3, .rolloutStarted, head, by: "reconciler", rollout: "ro-2026-11-30-0007")
        state.historySequence = Int64(history.count)

        var model = FakeReconcilerControl.Model(
            environment: "staging", state: state, watch: watch, lastPass: pass, services: services, drift: drift,
            policies: [
                .revision: .heal, .versionSkew: .heal, .alias: .heal, .variables: .heal, .topology: .report, .autoDeploy: .report,
                .isolation: .report,
            ],
            leader: true, history: history,
            readiness: Readiness(checks: [
                .init(name: "leader", ok: true, detail: "this replica leads (file store)"),
                .init(name: "store", ok: true, detail: "state store answered"),
                .init(name: "lastReconcile", ok: true, detail: "last reconcile: waiting"),
            ]),
            branchRevisions: Set(branchRevisions), otherRevisions: [featureRevision], now: now)
        model.workers = .init(live: 2, versions: [.init(version: previousKnownGood, count: 2)], queueDepth: 14, deadJobs: 1)
        model.problems = ["auto-deploy of frontend could not be read: Vercel has no API switch"]
        model.platformRequests = [
            .init(platform: "vercel", lastHour: 96, budgetPerHour: nil, stretch: 1),
            .init(platform: "railway", lastHour: 842, budgetPerHour: 1_000, stretch: 2.5),
        ]
        model.rollbackReadiness = [
            .init(
                revision: previousKnownGood, state: "ready", expiresAt: base.addingTimeInterval(50 * 3600),
                detail: "frontend: the deployment exists and is READY; api: canRollback is true; worker: canRollback is true", checkedAt: ago(20))
        ]
        model.inventory = [
            .init(
                name: "cloudinary folder", target: "staging_clips/", state: .missing,
                detail: "not in cloud clipnet (Admin API answered 404): the worker refuses to start until it is created", checkedAt: ago(4))
        ]
        model.delivery = DeliverySummary(windows: [
            .init(
                days: 7, deployments: 9, deploymentsPerDay: 9.0 / 7, leadTimeSeconds: 2520, failedRollouts: 1, changeFailureRate: 0.1,
                restores: 1, timeToRestoreSeconds: 372),
            .init(
                days: 30, deployments: 31, deploymentsPerDay: 31.0 / 30, leadTimeSeconds: 3900, failedRollouts: 4, changeFailureRate: 4.0 / 35,
                restores: 4, timeToRestoreSeconds: 540),
        ])
        model.notifications = [
            .init(
                name: "deploys", kind: "slack", target: "C0STAGING1", state: "failing", delivered: 41, pending: 2, failures: 3,
                lastDeliveredAt: ago(900), lastError: "Slack chat.update: rate limited (429)", failingSince: ago(70), nextAttemptAt: ago(-20)),
            .init(name: "events", kind: "webhook", target: "hooks.example.com", state: "ok", delivered: 57, lastDeliveredAt: ago(65)),
        ]
        return model
    }

    /// The status document of `model()`, as the daemon would serve it.
    public static func document() -> StatusDocument {
        FakeReconcilerControl(model()).status().document
    }
}
