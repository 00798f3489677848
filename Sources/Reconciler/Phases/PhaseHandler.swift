import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import ClipnetFormats
import Deployers
import Foundation
import KnownGoodStore
import Logging

/// One phase's I/O: reads and changes the platforms, and says what happened as an event. A
/// handler never edits the rollout record; what it must persist before going on (a deployment id
/// the moment the platform returns it) it hands to `PhaseEnvironment.commit`, which goes through
/// the machine like every other event.
protocol PhaseHandler: Sendable {
    func run(_ rollout: RolloutRecord, _ environment: PhaseEnvironment) async throws -> PhaseStep
}

/// How a phase handler's run ended.
struct PhaseStep: Sendable {
    /// What the machine is told; nil when there is nothing to record this pass.
    var event: RolloutEvent?
    /// When the phase stays where it is: how soon to look again, and why (for status).
    var retryAfter: Duration?
    var waitingFor: String?

    static func event(_ event: RolloutEvent) -> PhaseStep { PhaseStep(event: event) }
    static func wait(_ after: Duration, _ why: String, event: RolloutEvent? = nil) -> PhaseStep {
        PhaseStep(event: event, retryAfter: after, waitingFor: why)
    }
}

/// What every phase handler may use, fixed for one pass.
struct PhaseEnvironment: Sendable {
    let dependencies: ReconcilerDependencies
    /// The manifest at the rollout's revision, checked.
    let preflight: ConfigurationPreflight.Result
    /// The platform clients, behind the leadership check.
    let platforms: Platforms
    /// Persists an intermediate event (through the machine) and returns the record as committed.
    let commit: @Sendable (RolloutEvent, RolloutRecord) async throws -> RolloutRecord
    /// The store the pass writes through (for what is not the rollout record: orphaned builds).
    let store: any StateStore
    /// Records what the pass did, for status and logs.
    let note: @Sendable (_ action: String, _ service: String?, _ detail: String) -> Void

    var settings: ReconcileSettings { dependencies.settings }
    var now: Date { dependencies.now() }
    var manifest: Manifest { preflight.resolved.manifest }

    /// The longest gap between two checks that still counts as watching the services: a few
    /// polls, never less than 15 s (a restart or a slow pass is not a lapse).
    func maxGapSeconds(checkInterval: Duration) -> Double {
        max(15, 3 * max(settings.rolloutPollInterval, checkInterval).seconds)
    }

    /// What a platform error during `action` means for the rollout: a rate limit waits (never
    /// fails a rollout); a retryable error counts toward `transientFailureLimit` consecutive
    /// failed passes; any other error fails the phase now.
    func classify(_ error: any Error, during action: String, failure: (String) -> RolloutEvent = { .failed(reason: $0) }) throws -> PhaseStep {
        switch error {
        case is CancellationError, is ReconcileError:
            throw error
        case let error as DeployerError where error.code == .rateLimited:
            // The platform's own Retry-After, whatever its length: the same request is never
            // repeated earlier, and a rate limit never fails a rollout.
            let wait = error.retryAfter ?? settings.rolloutPollInterval
            let platform = error.platform.map { "\($0)".capitalized } ?? "the platform"
            let until = RFC3339.string(from: now.addingTimeInterval(wait.seconds))
            throw ReconcileError.waiting(.rateLimited, retryAfter: wait, "\(action): rate limited by \(platform) until \(until)")
        case let error as DeployerError where !error.isTransient:
            // The phase already says what was being done (status shows "failed in deploying api
            // and worker: …"): the reason names who refused and why, once.
            return .event(failure(Self.refusal(error)))
        default:
            return .event(.transientError(reason: "\(action): \(Self.message(error))", limit: settings.transientFailureLimit))
        }
    }

    /// Cancels the deployments of `rollout` that are still building or starting, so a build of a
    /// failed or superseded rollout cannot go live later. A cancel that fails is not forgotten:
    /// the build is recorded as orphaned and every later pass tries again (`OrphanedBuilds`).
    func cancelUnfinished(_ rollout: RolloutRecord) async {
        await Self.cancelUnfinished(rollout, platforms: platforms, dependencies: dependencies, store: store)
    }

    static func cancelUnfinished(_ rollout: RolloutRecord, platforms: Platforms, dependencies: ReconcilerDependencies, store: any StateStore) async {
        guard rollout.mode != .repoint else { return }
        var orphaned: [OrphanedBuild] = []
        for service in ServiceName.allCases {
            guard let id = rollout.deployments[service] else { continue }
            if await !OrphanedBuilds.cancel(service, id, platforms: platforms) {
                orphaned.append(OrphanedBuild(service: service.rawValue, deployment: id, rolloutID: rollout.id, since: dependencies.now()))
                dependencies.logger.warning(
                    "Could not cancel an unfinished deployment; will try again",
                    metadata: [
                        "rollout.id": "\(rollout.id)", "service": "\(service)", "deployment": "\(id)",
                    ])
            }
        }
        guard !orphaned.isEmpty else { return }
        let left = orphaned
        _ = try? await store.update(environment: dependencies.environment) { state in
            var known = state.orphanedBuilds ?? []
            for build in left where !known.contains(where: { $0.deployment == build.deployment }) { known.append(build) }
            state.orphanedBuilds = known
            return []
        }
    }

    /// Keeps the last lines of `deployment`'s log with `rollout` (`EnvironmentState.failureLogs`),
    /// scrubbed of every secret the manifest resolves (and token-shaped words). Best effort and
    /// bounded: a log the platform does not give, or a store that does not answer, costs the
    /// lines, never the rollout's failure; the newest five logs are kept.
    func captureFailureLog(_ rollout: RolloutRecord, _ deployment: ObservedDeployment) async {
        let limit = settings.failureLogLines
        guard limit > 0,
            let raw = try? await platforms.deployer(for: deployment.service).failureLog(of: deployment, service: deployment.service, limit: limit),
            !raw.isEmpty
        else { return }
        let secrets = preflight.resolved.secrets.values.map { $0.reveal() }
        let log = FailureLog(
            rolloutID: rollout.id, service: deployment.service, deployment: deployment.id.rawValue, status: deployment.rawStatus,
            lines: LogScrubbing.scrub(Array(raw.suffix(limit)), secrets: secrets), link: deployment.dashboardURL, capturedAt: now)
        _ = try? await store.update(environment: dependencies.environment) { state in
            var logs = (state.failureLogs ?? []).filter { !($0.rolloutID == log.rolloutID && $0.service == log.service) }
            logs.append(log)
            state.failureLogs = Array(logs.suffix(5))
            return []
        }
    }

    /// The platforms' own timing of `deployments` (Vercel's queue and build from the deployment
    /// as read; Railway's deployment events, one request each). Best effort: a platform that does
    /// not say costs the steps, never the rollout.
    func platformSteps(_ deployments: [ObservedDeployment]) async -> [PlatformStep] {
        var steps: [PlatformStep] = []
        for deployment in deployments {
            let read = try? await platforms.deployer(for: deployment.service).platformSteps(of: deployment, service: deployment.service)
            steps += read ?? []
        }
        return steps
    }

    /// "Railway refused: Commit not found": the platform that said no, and its words.
    static func refusal(_ error: DeployerError) -> String {
        let platform = error.platform.map { "\($0)".capitalized } ?? "The platform"
        return "\(platform) refused: \(error.message)"
    }

    static func message(_ error: any Error) -> String {
        (error as? DeployerError)?.message ?? "\(error)"
    }
}

extension DeployerError {
    /// Whether a later pass may succeed where this call failed: the call's own retries being
    /// exhausted on 5xx or network errors means the platform is unwell now, not that the request
    /// is wrong.
    var isTransient: Bool {
        isRetryable || [.retriesExhausted, .serverError, .transport, .rateLimited, .deadlineExceeded].contains(code)
    }
}

extension RolloutRecord {
    /// How long the rollout has been in its current phase by the wall clock: the deploy
    /// timeouts, which the platforms keep counting while the daemon is down.
    func timeInPhase(now: Date) -> Duration {
        guard let phaseStartedAt else { return .zero }
        return .milliseconds(Int64(now.timeIntervalSince(phaseStartedAt) * 1000))
    }
}
