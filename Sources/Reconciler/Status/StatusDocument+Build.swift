import AsyncPrimitives
public import ClipnetContracts
public import DriftDetector
import Foundation
public import GitWatch
public import KnownGoodStore

extension StatusDocument {
    /// Assembles the document from what the daemon knows: the stored record, the watcher's view
    /// of the branch, the last pass, and the last observation of the platforms.
    public init(
        environment: String, state: EnvironmentState, watch: WatchStatus, lastPass: PassReport?,
        services: [Service], drift: [Drift], policies: [DriftKind: DriftPolicy], leader: Bool, lastPassGeneration: Int64? = nil
    ) {
        let pin = state.pin
        let desiredRevision = DesiredState.desiredRevision(state, followed: watch.mark?.commit.hex ?? watch.head?.hex)
        let source = Desired.source(pin: pin, request: state.request, tagMarked: watch.mark != nil)
        let failure = desiredRevision.flatMap { state.failure(for: $0) }.map {
            Failure(at: $0.at, reason: $0.reason, phase: $0.phase?.rawValue)
        }
        self.init(
            environment: environment,
            branch: watch.branch,
            desired: Desired(
                revision: desiredRevision, source: source, pin: pin, failed: failure,
                mark: watch.mark?.tag, request: state.request),
            knownGood: state.knownGood,
            services: services,
            drift: drift.map { DriftItem(kind: $0.kind.rawValue, service: $0.service, detail: $0.detail, policy: policies[$0.kind]?.rawValue) },
            rollout: state.rollout.map { rollout in
                let logs = state.failureLogs?.filter { $0.rolloutID == rollout.id } ?? []
                var document = Rollout(
                    id: rollout.id, revision: rollout.revision, phase: rollout.phase.rawValue, startedAt: rollout.startedAt,
                    updatedAt: rollout.updatedAt, deployments: rollout.deployments, error: rollout.error, trigger: rollout.trigger?.rawValue,
                    verification: rollout.verification, timeline: rollout.timeline, failureLogs: logs.isEmpty ? nil : logs)
                document.platformSteps = rollout.platformSteps
                document.gateChecks = rollout.gateChecks
                return document
            },
            lastReconcile: lastPass.map {
                LastReconcile(
                    at: $0.startedAt, result: $0.result.label, durationMs: $0.duration.milliseconds, step: $0.step, message: $0.message,
                    generation: lastPassGeneration)
            },
            git: Git(head: watch.head?.hex, lastFetchAt: watch.lastSuccessAt, lastError: watch.lastError),
            leader: leader)
        stateGeneration = state.generation
    }
}
