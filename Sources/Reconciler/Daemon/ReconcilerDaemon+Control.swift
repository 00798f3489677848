import ClipnetConfig
public import ClipnetContracts
import Foundation
import GitWatch
import KnownGoodStore
import Logging

/// The operator surface of a running daemon (HTTP routes, and the CLI through them).
extension ReconcilerDaemon: ReconcilerControl {
    public var deploymentRequestTask: String? { configuration.deploymentRequestRefusal == nil ? configuration.github?.requestTask : nil }

    public func status() -> StatusSnapshot {
        core.board.snapshot()
    }

    public func history(limit: Int) async throws -> [HistoryEntry] {
        do {
            return try await core.baseStore.history(environment: environment, limit: max(1, min(limit, 1000)))
        } catch {
            throw Self.operatorError(error)
        }
    }

    /// Ready means: the branch was fetched at least once, the store takes writes, and on the
    /// leader the last pass did not stall (a person must act). A standby is ready (it serves
    /// status and refuses actions with 503 `not_leader`); a failing but retrying pass is not a
    /// reason to take the status server out of rotation.
    public func readiness() async -> Readiness {
        var checks: [Readiness.Check] = []
        let leader = core.leaderStore != nil
        checks.append(.init(name: "role", ok: true, detail: leader ? "this replica reconciles" : "standby: another replica reconciles"))
        let access = core.reconciler.access
        if let blocking = access.blockingDetail {
            checks.append(.init(name: "credentials", ok: false, detail: blocking))
        } else {
            let verified = access.snapshot.allSatisfy { $0.state == .verified }
            checks.append(
                .init(
                    name: "credentials", ok: true,
                    detail: verified
                        ? "every platform accepted its token" : "the platform tokens are set (not every platform has been asked yet)"))
        }
        let watch = watcher.status()
        checks.append(
            watch.lastSuccessAt == nil
                ? .init(name: "git", ok: false, detail: "the branch has not been fetched yet" + (watch.lastError.map { ": \($0)" } ?? ""))
                : .init(name: "git", ok: true, detail: "the branch was fetched"))
        do {
            if let probe = core.baseStore as? any WritableProbe {
                try await probe.probeWritable(environment: environment, timeout: .seconds(2))
            } else {
                _ = try await core.baseStore.load(environment: environment)
            }
            checks.append(.init(name: "store", ok: true, detail: "the state store takes writes"))
        } catch {
            checks.append(.init(name: "store", ok: false, detail: "the state store cannot be written: \(error)"))
        }
        switch core.board.inputs.lastPass {
        case nil:
            checks.append(.init(name: "reconcile", ok: true, detail: "no pass has finished yet"))
        case let report? where report.result == .stalled && leader:
            checks.append(.init(name: "reconcile", ok: false, detail: "the last pass stalled in \(report.step ?? "?"): \(report.message ?? "")"))
        case let report?:
            checks.append(.init(name: "reconcile", ok: true, detail: "the last pass \(report.result.label)\(report.message.map { ": \($0)" } ?? "")"))
        }
        return Readiness(checks: checks)
    }

    public func reconcile(retry: Bool, by actor: String) async throws {
        if retry {
            try await withActions { try await $0.retry(by: actor) }
        }
        loop.request(.operatorRequest)
    }

    public func pin(_ revision: String, reason: String, by actor: String, force: Bool) async throws -> PinRecord {
        let record = try await withActions { actions in
            try await Self.resolvingAfterFetch(self.mirror) { try await actions.pin(revision, reason: reason, by: actor, force: force) }
        }
        loop.request(.operatorRequest)
        return record
    }

    public func unpin(reason: String?, by actor: String) async throws {
        try await withActions { try await $0.unpin(by: actor, reason: reason ?? "") }
        loop.request(.operatorRequest)
    }

    public func rollback(to revision: String?, reason: String, by actor: String) async throws -> KnownGoodRecord {
        let record = try await withActions { try await $0.rollback(to: revision, reason: reason, by: actor) }
        loop.request(.operatorRequest)
        return record
    }

    public func promote(_ revision: String, reason: String, by actor: String) async throws -> Promotion {
        guard let promotion = configuration.promotion else {
            throw OperatorError(.notPromotable, "promotion is not configured: set promotion.branch in the daemon's configuration")
        }
        let mirror = self.mirror
        let result = try await withActions { actions in
            try await Self.resolvingAfterFetch(mirror) {
                try await actions.promote(revision, reason: reason, by: actor, branch: promotion.branch, soak: promotion.soak) { commit, branch in
                    try await mirror.pushFastForward(commit, to: branch)
                }
            }
        }
        logger.notice(
            "Promoted", metadata: ["operator.actor": "\(actor)", "revision": "\(result.revision)", "promotion.branch": "\(result.branch)"])
        return result
    }

    public func requestDeployment(revision: String, deployment: Int64, by actor: String, ref: String?) async throws -> DeploymentRequest {
        if let refusal = configuration.deploymentRequestRefusal {
            throw OperatorError(.notMarkable, refusal)
        }
        let request = try await withActions { actions in
            try await Self.resolvingAfterFetch(self.mirror) {
                try await actions.request(revision: revision, deployment: deployment, by: actor, ref: ref)
            }
        }
        logger.notice(
            "A GitHub deployment request marked a build",
            metadata: ["operator.actor": "\(actor)", "revision": "\(request.revision)", "github.deployment": "\(request.deployment)"])
        loop.request(.operatorRequest)
        return request
    }

    public func unmark(reason: String?, by actor: String) async throws -> DeploymentRequest? {
        let cleared = try await withActions { try await $0.unmark(by: actor, reason: reason) }
        loop.request(.operatorRequest)
        return cleared
    }

    public func cleanupPreviewVariables(apply: Bool, by actor: String) async throws -> PreviewCleanup {
        let store: any StateStore
        if apply {
            guard let leader = core.leaderStore else {
                throw OperatorError(.notLeader, "this replica stands by; ask the leader to remove variables")
            }
            store = leader
        } else {
            store = core.baseStore
        }
        do {
            let result = try await core.reconciler.cleanupPreviewVariables(store: store, remove: apply)
            logger.notice(
                "Preview clean-up",
                metadata: [
                    "operator.action": "cleanup-preview", "operator.actor": "\(actor)", "applied": "\(apply)",
                    "found": "\(result.found.count)", "removed": "\(result.removed.count)",
                ])
            return result
        } catch let error as OperatorError {
            throw error
        } catch {
            throw OperatorError(.unavailable, "the Vercel variables could not be read or removed: \(PhaseEnvironment.message(error))")
        }
    }

    public func push(ref: String, after: String?) -> Bool {
        if ref.hasPrefix("refs/tags/"), let pattern = configuration.repository.markTags,
            fnmatch(pattern, String(ref.dropFirst("refs/tags/".count)), 0) == 0
        {
            // A build marked (or unmarked: a deleted tag) for the environment: fetch and look now.
            logger.info("Push of a tag that marks a build; fetching now", metadata: ["git.ref": "\(ref)"])
            watcher.trigger()
            return true
        }
        guard ref == "refs/heads/\(branch)" else { return false }
        logger.info("Push to the watched branch; fetching now", metadata: ["branch": "\(branch)", "revision": "\(after ?? "?")"])
        watcher.trigger()
        return true
    }

    public func platformEvent(_ event: PlatformEvent) -> Bool {
        let concerns = event.concerns(core.board.inputs.state.rollout)
        logger.debug(
            "Platform event",
            metadata: [
                "platform": "\(event.platform)", "event.type": "\(event.type)", "deployment": "\(event.deploymentID ?? "-")",
                "event.concerns": "\(concerns)",
            ])
        if concerns { loop.request(.platformEvent) }
        return concerns
    }

    public func checksChanged(sha: String) -> Bool {
        guard let rollout = core.board.inputs.state.rollout, rollout.phase == .checkGate, CommitID.same(rollout.revision, sha) else {
            return false
        }
        loop.request(.checksChanged)
        return true
    }

    /// What the next pass would do. It reads the store (never writes it), observes the platforms
    /// with every change refused, on the leader and on a standby alike.
    ///
    /// `/plan` needs no token (it changes nothing), but each one reads the platforms, which costs
    /// their API quota: a plan is reused for `PlanCache.lifetime` while the record and the branch
    /// head are unchanged, so no caller can spend the quota faster than one plan per interval.
    public func plan() async throws -> PlanDocument {
        let generation = (try? await core.baseStore.load(environment: environment))?.generation
        let key = PlanCache.Key(generation: generation, head: watcher.status().head?.hex)
        if let cached = core.planCache.plan(for: key, now: Date()) { return cached }
        let outcome = await core.reconciler.plan(store: core.baseStore)
        var blockedBy = outcome.desired.blockedBy
        if outcome.report.result == .stalled || outcome.report.result == .failed {
            blockedBy = blockedBy ?? outcome.report.message
        }
        let plan = PlanDocument(
            environment: environment, desiredRevision: outcome.desired.desired,
            source: StatusDocument.Desired.source(pin: outcome.state.pin, request: outcome.state.request, tagMarked: watcher.status().mark != nil)
                .rawValue, actions: outcome.actions,
            blockedBy: blockedBy)
        core.planCache.store(plan, for: key, now: Date())
        return plan
    }

    /// Runs an operator action against the leader's store and refreshes the status after it.
    private func withActions<T: Sendable>(_ body: (OperatorActions) async throws -> T) async throws -> T {
        guard let store = core.leaderStore else {
            throw OperatorError(.notLeader, "this replica stands by; send operator requests to the leader")
        }
        let actions = OperatorActions(environment: environment, branch: branch, store: store, repository: mirror)
        do {
            let result = try await body(actions)
            await core.refreshState()
            core.notify()
            return result
        } catch {
            throw Self.operatorError(error)
        }
    }

    /// A revision pushed a moment ago may not be in the mirror yet: fetch once and try again.
    private static func resolvingAfterFetch<T: Sendable>(_ mirror: GitMirror, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as OperatorError where error.code == .unknownRevision {
            try? await mirror.fetch()
            return try await body()
        }
    }

    static func operatorError(_ error: any Error) -> any Error {
        switch error {
        case let error as OperatorError: return error
        case let error as StateStoreError where error.code == .notLeader:
            return OperatorError(.notLeader, "this replica lost leadership; send operator requests to the leader")
        case let error as StateStoreError:
            return OperatorError(.unavailable, "the state store is failing right now (\(error.diskCondition ?? error.code.rawValue)); try again")
        case let error as GitError where error.code == .network:
            return OperatorError(.unavailable, "the repository mirror cannot be read right now: \(error.message)")
        case let error as GitError where error.code == .invalidArgument || error.code == .ambiguous:
            return OperatorError(.invalidRequest, "the revision is not valid: \(error.message)")
        // Any other repository error is unexpected: a 500 with the details in the log, not "try again".
        default: return error
        }
    }
}
