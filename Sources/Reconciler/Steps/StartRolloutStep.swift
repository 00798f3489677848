import ClipnetFormats
import Deployers
import Foundation
import KnownGoodStore

/// Step 4: decide whether the environment must move. When the target is not where the
/// environment settled, a rollout starts: a re-point when the target is a known-good record
/// (no rebuild), a build otherwise. A rollout superseded by an operator's pin has its unfinished
/// builds cancelled first, so a late build cannot go live behind the new rollout.
struct StartRolloutStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "decide" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let target = context.target else {
            return .done(reason: context.blockedBy ?? "nothing to do")
        }
        if let rollout = context.activeRollout {
            if rollout.revision == target {
                guard context.dryRun else { return .proceed }
                context.note("continue", nil, "the \(rollout.mode?.rawValue ?? "build") rollout \(rollout.id) of \(short(rollout.revision)) is in phase \(rollout.phase.rawValue)")
                return .done(reason: "plan only")
            }
            try await supersede(rollout, for: target, &context)
        }
        if context.state.settledRevision == target { return .proceed }

        let record = context.state.knownGoodRecord(for: target)
        let mode: RolloutMode = record == nil ? .build : .repoint
        if context.dryRun {
            planActions(target: target, record: record, &context)
            return .done(reason: "plan only")
        }
        let now = Date()
        let settled = context.state.settledRevision.flatMap { context.state.knownGoodRecord(for: $0) }
        let rollout = RolloutRecord(
            id: Self.newRolloutID(now), revision: target, phase: mode == .build ? .syncVariables : .repointing,
            startedAt: now, updatedAt: now, deployments: record?.deployments ?? ServiceDeployments(), mode: mode,
            phaseStartedAt: now, rollbackTarget: mode == .build ? (settled ?? context.state.knownGood) : nil)
        let source = context.state.pin?.revision == target ? "pin by \(context.state.pin!.by)" : "branch \(dependencies.branch)"
        let entry = HistoryEntry(
            at: now, kind: .rolloutStarted, revision: target, by: "reconciler", reason: source, rolloutID: rollout.id,
            detail: mode == .build
                ? "build; rollback target \(rollout.rollbackTarget.map { short($0.revision) } ?? "none (first rollout)")"
                : "re-point to known-good deployments: \(rollout.deployments.summary)")
        context.state = try await StoreAccess.update(context.store, dependencies.environment) { state in
            if let other = state.rollout, other.isActive {
                throw ReconcileError.transient(.unexpected, "rollout \(other.id) started while this pass ran")
            }
            state.rollout = rollout
            return [entry]
        }
        dependencies.logger.info("Rollout started", metadata: [
            "rollout.id": "\(rollout.id)", "revision": "\(target)", "rollout.mode": "\(mode.rawValue)", "rollout.source": "\(source)",
        ])
        context.note(mode == .build ? "rollout" : "repoint", nil, "\(mode == .build ? "roll out" : "re-point to") \(target) (\(source))")
        return .proceed
    }

    /// Cancels the superseded rollout's unfinished builds (best effort) and closes it.
    private func supersede(_ rollout: RolloutRecord, for target: String, _ context: inout PassContext) async throws {
        if context.dryRun {
            context.note("supersede", nil, "stop the rollout of \(short(rollout.revision)) (\(rollout.phase.rawValue)) for \(short(target))")
            return
        }
        if let platforms = context.platforms, rollout.mode != .repoint {
            await RolloutProgress(dependencies: dependencies).cancelUnfinished(rollout, platforms)
        }
        let entry = HistoryEntry(
            at: Date(), kind: .rolloutSuperseded, revision: rollout.revision, by: "reconciler",
            reason: "superseded by \(short(target))", rolloutID: rollout.id, detail: "stopped in \(rollout.phase.rawValue)")
        try await RolloutProgress(dependencies: dependencies).advance(&context, to: .superseded, history: [entry])
        ReconcilerMetrics.rollout("superseded")
    }

    private func planActions(target: String, record: KnownGoodRecord?, _ context: inout PassContext) {
        if let record {
            for service in [ServiceName.api, .worker, .frontend] {
                context.note("repoint", service.rawValue, "serve recorded deployment \(record.deployments[service] ?? "none") of \(short(target)) again (no build)")
            }
            return
        }
        for service in [ServiceName.frontend, .api, .worker] {
            let count = context.preflight.map { DesiredVariables.of(service, preflight: $0, revision: target).count } ?? 0
            context.note("syncVariables", service.rawValue, "upsert \(count) variable(s) without deploying")
        }
        context.note("deploy", "api", "deploy \(target) with version tag \(short(target))")
        context.note("deploy", "worker", "deploy \(target) with version tag \(short(target))")
        context.note("verify", nil, "the API's version endpoint and the worker heartbeat report \(short(target))")
        context.note("deploy", "frontend", "deploy \(target)")
        context.note("alias", "frontend", "point \(context.preflight?.resolved.manifest.frontend.domain ?? "the domain") at the new deployment")
        context.note("healthGate", nil, "health URLs answer 2xx for \(context.preflight?.resolved.manifest.rollout.healthWindowSeconds ?? 0)s")
        context.note("markKnownGood", nil, "record \(short(target)) as known-good")
    }

    /// `ro-20261130T160000Z-4f2a9c`: sortable, unique enough, and safe in platform metadata.
    static func newRolloutID(_ now: Date) -> String {
        // 2026-11-30T16:00:00.000Z -> 20261130T160000Z
        let stamp = RFC3339.string(from: now).prefix(19).filter { $0 != ":" && $0 != "-" } + "Z"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "ro-\(stamp)-\(suffix)"
    }
}
