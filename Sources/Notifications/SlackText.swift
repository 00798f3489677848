import ClipnetContracts
import ClipnetFormats
import Foundation

/// Events as Slack messages (`mrkdwn`): a rollout's message says where it is and how long it has
/// taken; other events are one or two lines. Text only, no blocks: it reads the same in the
/// desktop client, on a phone and in an email digest.
enum SlackText {
    /// Lines of a failed build shown in the thread reply (the tail: where the error is).
    static let logLines = 20

    static func render(_ event: NotificationEvent) -> String {
        var lines: [String] = []
        lines.append(headline(event))
        if let rollout = event.rollout {
            lines.append(contentsOf: rolloutLines(rollout, event))
        } else if let detail = event.detail {
            lines.append(escape(Self.bounded(detail)))
        }
        let links = event.links.map { "<\($0.url)|\(escape(linkTitle($0.name)))>" }
        if !links.isEmpty { lines.append(links.joined(separator: " · ")) }
        return lines.joined(separator: "\n")
    }

    /// The thread reply under a failed rollout: each failed service's last lines.
    static func logReply(_ event: NotificationEvent) -> String {
        event.failureLogs.map { log in
            let tail = log.lines.suffix(logLines).map { String($0.prefix(300)) }.joined(separator: "\n")
            let link = log.link.map { " · <\($0)|open in the dashboard>" } ?? ""
            return
                "*\(escape(log.service.rawValue))* deployment `\(escape(log.deployment))` ended \(escape(log.status))\(link)\n```\n\(tail.replacingOccurrences(of: "```", with: "'''"))\n```"
        }.joined(separator: "\n")
    }

    private static func headline(_ event: NotificationEvent) -> String {
        let environment = "*\(escape(event.environment))*"
        let revision = event.commit.map(commitText) ?? event.revision.map { "`\(CommitID.short($0))`" } ?? ""
        let actor = escape(event.actor ?? "someone")
        let reason = event.reason.map { ": \(escape($0))" } ?? ""
        switch event.type {
        case .rolloutStarted, .rolloutProgressed:
            let verb = event.rollout?.mode == "repoint" ? "re-pointing" : "rolling out"
            return ":large_blue_circle: \(environment) \(verb) \(revision)"
        case .rolloutSucceeded: return ":white_check_mark: \(environment) runs \(revision): known-good"
        case .rolloutFailed:
            // Only a rollout that is rolling back says so: one the release gate held back never
            // deployed, and one without a target stays where it is.
            let rollingBack = ["rollingBack", "verifyRollback", "rolledBack"].contains(event.rollout?.phase ?? "")
            let rollback = rollingBack ? event.rollout?.rollbackTarget.map { "; rolling back to `\($0)`" } ?? "" : ""
            return ":red_circle: \(environment) rollout of \(revision) failed\(rollback)"
        case .rolloutRolledBack:
            let failed = event.rollout?.revision.map { "rollout of `\(CommitID.short($0))` failed; " } ?? ""
            return ":leftwards_arrow_with_hook: \(environment) \(failed)rolled back to \(revision)"
        case .rolloutSuperseded: return ":fast_forward: \(environment) rollout of \(revision) superseded\(reason)"
        case .rolloutRepointed: return ":white_check_mark: \(environment) re-pointed to \(revision)"
        case .pinned: return ":pushpin: \(actor) pinned \(environment) to \(revision)\(reason)"
        case .unpinned: return ":round_pushpin: \(actor) unpinned \(environment) (was \(revision))\(reason)"
        case .retried: return ":repeat: \(actor) allowed \(revision) to roll out again on \(environment)"
        case .operatorRollback: return ":rewind: \(actor) rolled \(environment) back to \(revision)\(reason)"
        case .promoted: return ":rocket: \(actor) promoted \(revision) from \(environment)\(reason)"
        case .requested: return ":inbox_tray: \(actor) asked GitHub to deploy \(revision) to \(environment)"
        case .unmarked: return ":heavy_minus_sign: \(actor) cleared the deployment request for \(revision) on \(environment)\(reason)"
        case .driftHealed:
            return event.rollout == nil
                ? ":wrench: \(environment) drift healed\(reason)" : ":wrench: \(environment) healing drift by re-pointing to \(revision)\(reason)"
        case .driftReported: return ":warning: \(environment) drift needs a person"
        case .driftCleared: return ":large_green_circle: \(environment) reported drift is gone"
        case .stalled: return ":rotating_light: \(environment) reconciler stalled: a person must act"
        case .recovered: return ":large_green_circle: \(environment) reconciler runs again"
        }
    }

    private static func rolloutLines(_ rollout: NotificationEvent.Rollout, _ event: NotificationEvent) -> [String] {
        var lines: [String] = []
        let trigger = [rollout.trigger, rollout.source].compactMap { $0 }.map(escape).joined(separator: ", ")
        let phase = RolloutPhase(rawValue: rollout.phase)?.words ?? rollout.phase
        let took = RelativeTime.duration(milliseconds: rollout.elapsedSeconds * 1000)
        lines.append("\(trigger.isEmpty ? "" : "Triggered by \(trigger) · ")*\(escape(phase))* · \(took)")
        let spans = rollout.timeline.map { span -> String in
            let words = span.phase.words
            guard let seconds = span.seconds else { return "\(words) …" }
            return span.phase.isActive ? "\(words) \(RelativeTime.duration(milliseconds: seconds * 1000))" : words
        }
        if spans.count > 1 { lines.append(spans.joined(separator: " → ")) }
        if let platforms = platformLine(rollout) { lines.append(platforms) }
        if let error = rollout.error {
            lines.append(
                "> \(escape(String(error.prefix(600))))\(rollout.failedPhase.map { " (in \(RolloutPhase(rawValue: $0)?.words ?? $0))" } ?? "")")
        }
        if let detail = event.detail, event.type == .rolloutRolledBack || event.type == .rolloutSuperseded {
            lines.append(escape(Self.bounded(detail)))
        }
        if !event.failureLogs.isEmpty {
            let last = event.failureLogs.compactMap { log in log.lines.last.map { "\(log.service.rawValue): \(String($0.prefix(200)))" } }
            lines.append(contentsOf: last.map { "`\(escape($0))`" })
            lines.append("_The build's last lines are in the thread._")
        }
        return lines
    }

    /// `Platforms: api 1.3 s, worker 1.2 s, frontend 52 s; the reconciler added 0.1 s`: each
    /// service's time on its platform (first step to last), and the controller's share.
    private static func platformLine(_ rollout: NotificationEvent.Rollout) -> String? {
        let steps = rollout.platformSteps
        guard !steps.isEmpty else { return nil }
        let services = ServiceName.allCases.compactMap { service -> String? in
            let mine = steps.filter { $0.service == service }
            guard let start = mine.map(\.startedAt).min(), let end = mine.finishedAt else { return nil }
            return "\(service.rawValue) \(RelativeTime.duration(milliseconds: max(0, end.timeIntervalSince(start)) * 1000))"
        }
        guard !services.isEmpty else { return nil }
        let added = rollout.timeline.controllerAdded(steps).map { "; the reconciler added \(RelativeTime.duration(milliseconds: $0 * 1000))" } ?? ""
        return "Platforms: \(services.joined(separator: ", "))\(added)"
    }

    private static func commitText(_ commit: NotificationEvent.Commit) -> String {
        var text = "`\(commit.short)`"
        if let subject = commit.subject { text += " “\(escape(String(subject.prefix(120))))”" }
        if let author = commit.author { text += " by \(escape(author))" }
        return text
    }

    private static func linkTitle(_ name: String) -> String {
        switch name {
        case "status": "status page"
        case "commit": "commit"
        case "compare": "changes"
        default: "\(name) dashboard"
        }
    }

    /// Detail longer than this is cut (a drift report of every variable): Slack refuses messages
    /// over 40,000 characters, and nobody reads past a screen.
    static let detailLimit = 3000

    static func bounded(_ text: String) -> String {
        text.count <= detailLimit ? text : String(text.prefix(detailLimit)) + " …"
    }

    /// Slack's three control characters in text (docs: "Formatting text for app surfaces").
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
