import ClipnetContracts
import Foundation
import Reconciler
import Testing

/// The delivery figures (DORA) from a known history, to the exact value.
@Suite struct DeliveryMetricsTests {
    /// Equal to the microsecond: times are stored as `Date`s, whose differences are not exact.
    static func same(_ value: Double?, _ expected: Double) -> Bool { value.map { abs($0 - expected) < 1e-6 } ?? false }

    static let now = Date(timeIntervalSince1970: 1_765_000_000)
    static func ago(hours: Double) -> Date { now.addingTimeInterval(-hours * 3600) }

    /// Three weeks of staging: four good rollouts, a failed one rolled back, a failed first-try
    /// whose rollback also failed (fixed by the next good rollout), an operator's re-point that
    /// failed (not a change), and one old deployment outside the 7-day window.
    static let history: [HistoryEntry] = {
        var sequence: Int64 = 0
        var entries: [HistoryEntry] = []
        func add(_ hours: Double, _ kind: HistoryKind, _ rollout: String, detail: String? = nil, commitHoursEarlier: Double? = nil) {
            sequence += 1
            let at = ago(hours: hours)
            entries.append(
                HistoryEntry(
                    sequence: sequence, at: at, kind: kind, revision: String(repeating: "a", count: 40), by: "reconciler", rolloutID: rollout,
                    detail: detail, commitAt: commitHoursEarlier.map { at.addingTimeInterval(-$0 * 3600) }))
        }
        // 20 days ago: a deployment (outside the 7-day window), lead time 10 h.
        add(480, .rolloutStarted, "ro-1", detail: "build; rollback target none (first rollout)")
        add(479, .knownGood, "ro-1", commitHoursEarlier: 10)
        // 5 days ago: a deployment, lead time 2 h.
        add(120, .rolloutStarted, "ro-2", detail: "build; rollback target 111111111111")
        add(119.5, .knownGood, "ro-2", commitHoursEarlier: 2)
        // 4 days ago: a failure, rolled back 15 minutes later.
        add(96, .rolloutStarted, "ro-3", detail: "build; rollback target 222222222222")
        add(95.75, .rolloutFailed, "ro-3", detail: "failed in healthGate; rolling back to 222222222222")
        add(95.5, .rolledBack, "ro-3")
        // 3 days ago: a failure whose rollback failed too (one change failure), restored 2 h later
        // by the next good rollout (lead time 1 h).
        add(72, .rolloutStarted, "ro-4", detail: "build; rollback target 222222222222")
        add(71.5, .rolloutFailed, "ro-4", detail: "failed in deployBackend; rolling back to 222222222222")
        add(71, .rolloutFailed, "ro-4")
        add(70, .rolloutStarted, "ro-5", detail: "build; rollback target 222222222222")
        add(69.5, .knownGood, "ro-5", commitHoursEarlier: 1)
        // 2 days ago: an operator's re-point that failed: not a change failure.
        add(48, .rolloutStarted, "ro-6", detail: "re-point to known-good deployments: api a, worker b, frontend c")
        add(47.9, .rolloutFailed, "ro-6", detail: "failed in repointing; the re-point is left as it is")
        // 1 day ago: a deployment, lead time 30 min; history noise around it.
        add(24.5, .pinned, "-")
        add(24, .rolloutStarted, "ro-7", detail: "build; rollback target 333333333333")
        add(23.5, .knownGood, "ro-7", commitHoursEarlier: 0.5)
        add(23, .driftHealed, "ro-8")
        return entries
    }()

    @Test func theSevenDayWindowCountsDeploymentsFailuresAndRestoresExactly() {
        let week = DeliveryMetrics.window(DeliveryMetrics.events(Self.history).map(\.event), days: 7, now: Self.now)
        #expect(week.deployments == 3)
        #expect(week.deploymentsPerDay == 3.0 / 7.0)
        // Lead times 2 h, 1 h, 0.5 h: the median is 1 h.
        #expect(Self.same(week.leadTimeSeconds, 3600))
        #expect(week.failedRollouts == 2)
        #expect(week.changeFailureRate == 2.0 / 5.0)
        // Restores after 15 min and 2 h: the median of two is their mean.
        #expect(week.restores == 2)
        #expect(Self.same(week.timeToRestoreSeconds, (900 + 7200) / 2))
    }

    @Test func theThirtyDayWindowIncludesTheOlderDeployment() {
        let summary = DeliveryMetrics.summary(Self.history, now: Self.now)
        #expect(summary.windows.map(\.days) == [7, 30])
        let month = summary.windows[1]
        #expect(month.deployments == 4)
        #expect(month.deploymentsPerDay == 4.0 / 30.0)
        // Lead times 10 h, 2 h, 1 h, 0.5 h: the median is 1.5 h.
        #expect(Self.same(month.leadTimeSeconds, 5400))
        #expect(month.changeFailureRate == 2.0 / 6.0)
    }

    @Test func aRevisionTheReleaseGateHeldBackIsNeitherAChangeFailureNorAnIncident() {
        let start = Self.ago(hours: 10)
        let held = HistoryEntry(
            sequence: 1, at: start + 300, kind: .rolloutFailed, revision: String(repeating: "b", count: 40), by: "reconciler", rolloutID: "ro-gate",
            detail: "held back by the release gate; nothing was deployed",
            timeline: [
                PhaseSpan(phase: .checkGate, startedAt: start, endedAt: start + 300),
                PhaseSpan(phase: .failed, startedAt: start + 300, endedAt: start + 300),
            ])
        var deployed = held
        deployed.sequence = 2
        deployed.rolloutID = "ro-deployed"
        deployed.timeline = [
            PhaseSpan(phase: .checkGate, startedAt: start, endedAt: start + 10),
            PhaseSpan(phase: .syncVariables, startedAt: start + 10, endedAt: start + 20),
            PhaseSpan(phase: .deployBackend, startedAt: start + 20, endedAt: start + 300),
            PhaseSpan(phase: .failed, startedAt: start + 300, endedAt: start + 300),
        ]
        #expect(DeliveryMetrics.events([held]).isEmpty)
        // Past the gate it is a change like any other: it failed after deploying.
        #expect(DeliveryMetrics.events([deployed]).map(\.event) == [.failed(at: start + 300)])
    }

    @Test func anOpenIncidentHasNoRestoreAndAnEmptyWindowHasNoRates() {
        let open = Array(Self.history.prefix(11))  // ends with ro-4's failed rollback
        let events = DeliveryMetrics.events(open).map(\.event)
        let week = DeliveryMetrics.window(events, days: 7, now: Self.now)
        #expect(week.failedRollouts == 2)
        #expect(week.restores == 1, "ro-4's incident is still open")
        let empty = DeliveryMetrics.window([], days: 7, now: Self.now)
        #expect(empty.deployments == 0 && empty.leadTimeSeconds == nil && empty.changeFailureRate == nil && empty.timeToRestoreSeconds == nil)
    }
}
