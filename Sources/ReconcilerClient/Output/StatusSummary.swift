public import ClipnetContracts
public import Foundation

/// `reconciler status`: the status document as a short report for a terminal. Revisions are
/// printed in full so they can be copied into `pin` or `rollback --to`.
public enum StatusSummary {
    public static func render(_ document: StatusDocument, now: Date = Date()) -> String {
        var lines: [String] = []
        lines.append("\(document.environment): \(headline(document))")
        var facts: [(String, String)] = []
        facts.append(("branch", "\(document.branch)\(document.leader ? "" : " (standby replica: another one leads)")"))
        var desired = document.desired.revision ?? "none yet (branch not fetched)"
        if let pin = document.desired.pin {
            desired += "  pinned by \(pin.by) \(TimeWords.ago(pin.at, now: now)): \(pin.reason)"
        } else if let request = document.desired.request {
            desired +=
                "  requested by \(request.by) \(TimeWords.ago(request.at, now: now)) (GitHub deployment \(request.deployment); `reconciler unmark` clears it)"
        } else if let mark = document.desired.mark {
            desired += "  marked by \(mark)"
        } else {
            desired += "  head of \(document.branch)"
        }
        facts.append(("desired", desired))
        if let blocked = document.blockedBy, blocked.contains("\n") {
            // The causes of a refusal, one per line, under the headline that named it.
            for cause in blocked.split(separator: "\n").dropFirst() { facts.append(("cause", String(cause))) }
        }
        if let failed = document.desired.failed {
            facts.append(
                (
                    "failed",
                    "\(TimeWords.ago(failed.at, now: now))\(failed.phase.map { " in \($0)" } ?? ""): \(failed.reason) (held back; `reconciler retry` rolls it out again)"
                ))
        }
        if let knownGood = document.knownGood {
            facts.append(("known-good", "\(knownGood.revision)  since \(TimeWords.both(knownGood.at, now: now))"))
        } else {
            facts.append(("known-good", "none yet"))
        }
        if let rollout = document.rollout {
            var text = "\(rollout.id)  \(rollout.revision.prefix(12))  \(rollout.phase), started \(TimeWords.ago(rollout.startedAt, now: now))"
            if let error = rollout.error { text += "; error: \(error)" }
            facts.append(("rollout", text))
            // At the release gate: each required check and where to read it.
            if rollout.phase == "checkGate" {
                for check in rollout.gateChecks ?? [] {
                    facts.append(("ci check", "\(check.name): \(check.detail)\(check.url.map { "  \($0)" } ?? "")"))
                }
            }
            // The failed build's own last words (the page and `status -o json` have up to 50).
            for log in rollout.failureLogs ?? [] {
                facts.append(("build log", "\(log.service) \(log.status)\(log.link.map { " (\($0))" } ?? ""):"))
                for line in log.lines.suffix(10) { facts.append(("", "  " + line)) }
            }
        }
        if let last = document.lastReconcile {
            var text = "\(last.result) \(TimeWords.ago(last.at, now: now)), \(Int(last.durationMs.rounded())) ms"
            if let step = last.step { text += ", step \(step)" }
            if let message = last.message { text += ": \(message)" }
            facts.append(("last pass", text))
        }
        var git = "head \(document.git.head.map { String($0.prefix(12)) } ?? "unknown")"
        if let fetched = document.git.lastFetchAt { git += ", fetched \(TimeWords.ago(fetched, now: now))" }
        if let error = document.git.lastError { git += "; fetch failing: \(error)" }
        facts.append(("git", git))
        // Only what needs a look: a folder that exists, or is not configured, is not news here.
        for item in document.inventory ?? [] where item.needsAttention {
            var text = item.name + (item.target.map { " \($0)" } ?? "") + " \(item.state)"
            if item.state != StatusDocument.InventoryItem.State.missing.rawValue, let detail = item.detail { text += ": \(detail)" }
            facts.append(("inventory", text))
        }
        // A channel people rely on that does not deliver is news; one that delivers is not.
        for channel in document.notifications ?? [] where channel.state == "failing" {
            var text = "\(channel.name) (\(channel.kind) \(channel.target)) failing"
            if channel.pending > 0 { text += ", \(channel.pending) waiting" }
            if let error = channel.lastError { text += ": \(error)" }
            if let next = channel.nextAttemptAt { text += "; next try \(TimeWords.ago(next, now: now))" }
            facts.append(("notify", text))
        }
        let width = facts.map(\.0.count).max() ?? 0
        lines += facts.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }

        if !document.services.isEmpty {
            lines.append("")
            var table = TextTable(header: ["SERVICE", "PLATFORM", "REVISION", "FROM", "DEPLOYMENT", "STATUS", "HEALTH"])
            for service in document.services {
                let health = service.healthy.map { $0 ? "healthy" : "UNHEALTHY" } ?? "unknown"
                let mark = service.revision != nil && service.revision == document.desired.revision ? "" : " *"
                table.rows.append([
                    service.name, service.platform, (service.revision.map { String($0.prefix(12)) } ?? "-") + mark,
                    service.revisionSource ?? "-", service.deploymentId ?? "-", service.status, health,
                ])
            }
            lines.append(table.render())
            if document.services.contains(where: { $0.revision == nil || $0.revision != document.desired.revision }) {
                lines.append("  * not at the desired revision")
            }
        }
        lines.append("")
        if document.drift.isEmpty {
            lines.append(
                StatusVerdict(document).inSync || document.services.isEmpty
                    ? "No drift." : "No drift measured, but not every service runs the desired revision (see the first line).")
        } else {
            lines.append("DRIFT")
            for item in document.drift {
                lines.append("  \(item.kind)\(item.service.map { " [\($0)]" } ?? ""): \(item.detail)\(item.policy.map { " (policy: \($0))" } ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first line: the same verdict as the status page's badge (`StatusVerdict`).
    static func headline(_ document: StatusDocument) -> String {
        switch StatusVerdict(document).kind {
        case .rollingOut(let revision, let phase, _): "rolling out \(revision.prefix(12)) (\(phase))"
        case .heldBack: "held back: the desired revision failed"
        case .blocked(let why): "blocked: \(why.split(separator: "\n").first.map(String.init) ?? why)"
        case .unhealthy(let names): "unhealthy: \(names.joined(separator: ", "))"
        case .drift(let count): "drift (\(count))"
        case .reconcileFailed(let result, _): "reconcile \(result)"
        case .starting: "starting (branch not fetched yet)"
        case .inSync(let revision, let pinned): "in sync at \(revision.prefix(12))\(pinned ? " (pinned)" : "")"
        }
    }
}
