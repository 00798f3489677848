public import ClipnetContracts
import KnownGoodStore

/// One legal transition: in any of `from` (nil: no rollout in flight), `event` may lead to any of
/// `to`, doing `actions`. `RolloutMachine.apply` refuses every change that is not listed here, and
/// `docs/reconciler.md` shows this same table (a test keeps the two equal).
public struct RolloutTransition: Sendable {
    public let from: [RolloutPhase?]
    public let event: RolloutEventKind
    /// Phases the event may move to (besides staying, when `stays`).
    public let to: [RolloutPhase]
    /// Whether the event may leave the rollout in the phase it was in.
    public let stays: Bool
    public let actions: String

    init(_ from: [RolloutPhase?], _ event: RolloutEventKind, _ to: [RolloutPhase], stays: Bool = false, _ actions: String) {
        self.from = from
        self.event = event
        self.to = to
        self.stays = stays
        self.actions = actions
    }
}

extension RolloutMachine {
    /// The phases of a build rollout before it is known-good.
    static let buildPhases: [RolloutPhase] = [
        .checkGate, .syncVariables, .deployBackend, .verifyBackend, .deployFrontend, .healthGate, .markKnownGood,
    ]
    /// Where a new rollout may start from: nothing in flight, or a finished rollout.
    static let idle: [RolloutPhase?] = [nil, .succeeded, .failed, .rolledBack, .superseded]
    static let active: [RolloutPhase?] = RolloutPhase.allCases.filter(\.isActive)

    /// The whole machine.
    public static let table: [RolloutTransition] = [
        .init(
            idle, .startBuild, [.checkGate, .syncVariables],
            "record the rollout and its rollback target; history `rolloutStarted`; with a release gate, wait for CI first"),
        .init(idle, .startRepoint, [.repointing], "record the rollout with the known-good record's deployments; history `rolloutStarted`"),
        .init(
            buildPhases + [.repointing, .verifyRepoint], .supersede, [.superseded],
            "cancel unfinished builds (before the event); history `rolloutSuperseded`"),
        .init(
            [.checkGate], .gateChecked, [.syncVariables, .failed], stays: true,
            "record the required checks; all succeeded: next phase; one failed: mark the revision failed (nothing to roll back)"),
        .init([.syncVariables], .variablesSynced, [.deployBackend], "-"),
        .init(
            [.deployBackend, .deployFrontend], .deploymentCreated, [], stays: true,
            "persist the deployment id the moment the platform returns it (never deployed twice); in `deployBackend` also the frontend's, where its builds stay off the domains"
        ),
        .init([.deployBackend], .backendReady, [.verifyBackend], "-"),
        .init(
            [.verifyBackend], .verificationChecked, [.deployFrontend, .rollingBack, .failed], stays: true,
            "count observed time; confirmed: next phase; past the verification timeout: fail"),
        .init([.deployFrontend], .frontendAliased, [.healthGate], "the domain now points at the new frontend"),
        .init(
            [.healthGate], .healthChecked, [.markKnownGood, .rollingBack, .failed], stays: true,
            "count unbroken observed health; the window held: next phase; threshold of failures in a row: fail"),
        .init(
            [.markKnownGood], .recordKnownGood, [.succeeded],
            "record known-good with the deployment ids; history `knownGood`"),
        .init(
            [.repointing, .rollingBack], .repointIssued, [], stays: true,
            "persist the deployment now serving the service (Railway creates one per rollback)"),
        .init([.repointing], .repointed, [.verifyRepoint], "-"),
        .init([.rollingBack], .repointed, [.verifyRollback], "-"),
        .init(
            [.verifyRepoint], .verificationChecked, [.succeeded, .failed], stays: true,
            "confirmed: the record becomes the current known-good, history `repointed`; past the timeout: fail"),
        .init(
            [.verifyRollback], .verificationChecked, [.rolledBack, .failed], stays: true,
            "confirmed: history `rolledBack`; past the timeout: fail, a person must act"),
        .init(
            buildPhases, .failed, [.rollingBack, .failed],
            "mark the revision failed (held back until a new commit or retry); roll back when there is a target"),
        .init([.repointing, .verifyRepoint], .failed, [.failed], "mark the revision failed; a re-point is not rolled back"),
        .init([.rollingBack, .verifyRollback], .rollbackFailed, [.failed], "history `rolloutFailed`; the pass stalls: a person must act"),
        .init([.rollingBack, .verifyRollback], .failed, [.failed], "history `rolloutFailed`; the pass stalls: a person must act"),
        .init(active, .transientError, [.rollingBack, .failed], stays: true, "count consecutive errors; at the limit, as `failed`"),
        .init(active, .progressed, [], stays: true, "reset the consecutive-error count"),
        .init(
            active, .leadershipLost, [], stays: true,
            "no record change: the pass is cancelled, no platform request is sent; the new leader resumes"),
    ]

    /// Whether the table allows `from` -(event)-> `to`.
    static func allows(from: RolloutPhase?, _ event: RolloutEventKind, to: RolloutPhase) -> Bool {
        table.contains { $0.event == event && $0.from.contains(from) && ($0.to.contains(to) || ($0.stays && to == from)) }
    }

    /// The table in Markdown, as `docs/reconciler.md` shows it.
    public static func markdownTable() -> String {
        var lines = ["| from | event | to | what happens |", "|---|---|---|---|"]
        for row in table {
            let from = row.from.map { $0?.rawValue ?? "(none)" }.joined(separator: ", ")
            let to = ((row.stays ? ["(stays)"] : []) + row.to.map(\.rawValue)).joined(separator: ", ")
            lines.append("| \(from) | `\(row.event.rawValue)` | \(to) | \(row.actions) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The phase diagram (Mermaid), generated from the same table; self-loops and the
    /// error-counting events are left out to keep it readable.
    public static func mermaidDiagram() -> String {
        var edges: [String] = []
        for row in table where ![.transientError, .progressed, .leadershipLost].contains(row.event) {
            for from in row.from {
                for to in row.to where to != from {
                    let edge = "    \(from?.rawValue ?? "idle") --> \(to.rawValue): \(row.event.rawValue)"
                    if !edges.contains(edge) { edges.append(edge) }
                }
            }
        }
        return (["stateDiagram-v2"] + edges).joined(separator: "\n")
    }
}
