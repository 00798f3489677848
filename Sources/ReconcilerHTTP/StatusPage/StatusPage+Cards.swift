import ClipnetContracts
import Foundation
import Reconciler

/// The summary cards at the top of the status page.
extension StatusPage {
    func card(_ title: String, id: String, tone: String? = nil, _ body: String) -> String {
        "<article class=\"card\(tone.map { " " + $0 } ?? "")\" id=\"\(id)\"><h2>\(HTML.escape(title))</h2>\n\(body)</article>\n"
    }

    func row(_ label: String, _ value: String) -> String {
        "<div class=\"kv\"><span class=\"k\">\(HTML.escape(label))</span><span class=\"v\">\(value)</span></div>\n"
    }

    func desiredCard() -> String {
        let desired = document.desired
        var body = "<p class=\"big\">\(HTML.revision(desired.revision, full: true))</p>\n"
        if let pin = desired.pin {
            body += row(
                "why", HTML.badge("pinned", tone: "warn") + " by <strong>\(HTML.escape(pin.by))</strong> " + TimeText.element(pin.at, now: now))
            body += row("reason", HTML.escape(pin.reason))
            if let head = document.git.head, head != pin.revision {
                body += row(
                    "branch", HTML.revision(head) + " <span class=\"muted\">head of \(HTML.escape(document.branch)), held back by the pin</span>")
            }
        } else if let request = desired.request {
            body += row(
                "why",
                HTML.badge("requested", tone: "info") + " by <strong>\(HTML.escape(request.by))</strong> (GitHub deployment \(request.deployment)) "
                    + TimeText.element(request.at, now: now))
            body += row("clear", "<code>reconciler unmark</code> <span class=\"muted\">follows the tags or the branch again</span>")
            if let head = document.git.head, head != desired.revision {
                body += row(
                    "branch", HTML.revision(head) + " <span class=\"muted\">head of \(HTML.escape(document.branch)), held back by the request</span>")
            }
        } else if let mark = desired.mark {
            body += row("why", HTML.badge("marked", tone: "info") + " by the tag <code>\(HTML.escape(mark))</code>")
            if let head = document.git.head, head != desired.revision {
                body += row(
                    "branch", HTML.revision(head) + " <span class=\"muted\">head of \(HTML.escape(document.branch)), held back by the mark</span>")
            }
        } else {
            body += row("why", HTML.badge("branch", tone: "info") + " head of <code>\(HTML.escape(document.branch))</code>")
        }
        if let failed = desired.failed {
            body +=
                "<p class=\"alert bad\"><strong>Failed</strong> \(TimeText.element(failed.at, now: now))\(failed.phase.map { " in " + HTML.escape(PhaseText.name($0)) } ?? ""): \(HTML.escape(failed.reason)). Held back until a new commit or <code>reconciler retry</code>.</p>\n"
        } else if let blocked = document.blockedBy {
            body += "<div class=\"alert bad\" id=\"blocked\"><strong>Not rolled out:</strong> \(HTML.causes(blocked))</div>\n"
        }
        return card("Desired revision", id: "desired", body)
    }

    /// The worker service as its heartbeats in Redis show it (absent when not read).
    func workersCard() -> String {
        guard let workers = document.workers else { return "" }
        var body = "<p class=\"big\">\(workers.live) live worker\(workers.live == 1 ? "" : "s")</p>\n"
        for version in workers.versions {
            body += row("version", HTML.revision(version.version) + " <span class=\"muted\">×\(version.count)</span>")
        }
        body += row("queue", "\(workers.queueDepth) waiting")
        body += row("dead set", workers.deadJobs == 0 ? "empty" : "<strong>\(workers.deadJobs)</strong> jobs")
        return card("Workers", id: "workers", tone: workers.live == 0 ? "bad" : nil, body)
    }

    func knownGoodCard() -> String {
        guard let knownGood = document.knownGood else {
            return card("Known good", id: "known-good", "<p class=\"muted\">No revision has passed a rollout yet.</p>\n")
        }
        var body = "<p class=\"big\">\(HTML.revision(knownGood.revision, full: true))</p>\n"
        body += row("recorded", TimeText.element(knownGood.at, now: now))
        let deployments = knownGood.deployments
        for (name, id) in [("frontend", deployments.frontend), ("api", deployments.api), ("worker", deployments.worker)] {
            body += row(name, id.map { "<code class=\"id\">\(HTML.escape($0))</code>" } ?? "<span class=\"muted\">none</span>")
        }
        let matches = knownGood.revision == document.desired.revision
        return card("Known good", id: "known-good", tone: matches ? "ok" : nil, body)
    }

    func rolloutCard() -> String {
        guard let rollout = document.rollout else {
            return card("Rollout", id: "rollout", "<p class=\"muted\">No rollout has run yet.</p>\n")
        }
        let active = rollout.isActive
        var body = "<p>\(HTML.revision(rollout.revision)) <strong>\(HTML.escape(PhaseText.name(rollout.phase)))</strong></p>\n"
        if active || rollout.phase == "rollingBack" { body += phaseSteps(rollout.phase) }
        body += row("rollout", "<code class=\"id\">\(HTML.escape(rollout.id))</code>")
        body += row("started", TimeText.element(rollout.startedAt, now: now))
        body += row("updated", TimeText.element(rollout.updatedAt, now: now))
        if let error = rollout.error {
            body += "<p class=\"alert bad\"><strong>Error:</strong> \(HTML.escape(error))</p>\n"
        }
        if rollout.phase == RolloutPhase.checkGate.rawValue, let checks = rollout.gateChecks, !checks.isEmpty {
            body += gateChecks(checks, since: rollout.timeline?.last?.startedAt)
        }
        for log in rollout.failureLogs ?? [] { body += failureLog(log) }
        body += timeline(rollout.timeline ?? [], platformSteps: rollout.platformSteps ?? [])
        let tone = rollout.error != nil || rollout.phase == "failed" ? "bad" : (active ? "info" : nil)
        return card(active ? "Rollout in progress" : "Last rollout", id: "rollout", tone: tone, body)
    }

    /// What the release gate waits for: each required check, its state, a link to it, and since when.
    func gateChecks(_ checks: [CommitCheck], since: Date?) -> String {
        var out =
            "<p>Waiting for CI\(since.map { " since " + TimeText.element($0, now: now) } ?? ""): nothing is deployed until every required check succeeded.</p>\n<ul class=\"checks\">"
        for check in checks {
            let tone = check.state == .success ? "ok" : check.state == .failure ? "bad" : "info"
            let name =
                check.url.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
                .map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape(check.name))</a>" } ?? HTML.escape(check.name)
            out += "<li>\(HTML.badge(check.detail, tone: tone)) \(name)</li>"
        }
        return out + "</ul>\n"
    }

    /// The failed build's own last lines, open, with a link to the platform's page for the rest.
    func failureLog(_ log: FailureLog) -> String {
        let link =
            log.link.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
            .map { " · <a href=\"\(HTML.escape($0))\">open in \(log.service == .frontend ? "Vercel" : "Railway")</a>" } ?? ""
        let summary = "\(log.service) \(log.status): the last \(log.lines.count) lines of its log"
        return "<details class=\"log\" open><summary>\(HTML.escape(summary))\(link)</summary><pre>"
            + log.lines.map(HTML.escape).joined(separator: "\n") + "</pre></details>\n"
    }

    /// Each phase the rollout went through and how long it took (the open one: so far), with
    /// the platforms' own steps under the deploy phase that waited on them and what the
    /// reconciler added on top: on-call sees where the time went, and whose it was.
    func timeline(_ spans: [PhaseSpan], platformSteps: [PlatformStep] = []) -> String {
        let timed = spans.filter { $0.phase.isActive }
        guard !timed.isEmpty else { return "" }
        var out = "<table class=\"timeline\"><thead><tr><th>phase</th><th>took</th></tr></thead><tbody>"
        for span in timed {
            let seconds = (span.endedAt ?? now).timeIntervalSince(span.startedAt)
            let took = TimeText.duration(milliseconds: max(0, seconds) * 1000) + (span.endedAt == nil ? " so far" : "")
            out += "<tr><td>\(HTML.escape(PhaseText.name(span.phase.rawValue)))</td><td>\(HTML.escape(took))</td></tr>"
            let services: Set<ServiceName> =
                switch span.phase {
                case .deployBackend: Set(ServiceName.backend)
                case .deployFrontend: [.frontend]
                default: []
                }
            for step in platformSteps where services.contains(step.service) {
                let stepTook = step.seconds.map { TimeText.duration(milliseconds: max(0, $0) * 1000) } ?? "unfinished"
                out +=
                    "<tr class=\"platform\"><td>\(HTML.escape(step.service.rawValue)) \(HTML.escape(step.step))</td><td>\(HTML.escape(stepTook))</td></tr>"
            }
        }
        if let added = spans.controllerAdded(platformSteps) {
            out += "<tr class=\"added\"><td>the reconciler added</td><td>\(HTML.escape(TimeText.duration(milliseconds: added * 1000)))</td></tr>"
        }
        return out + "</tbody></table>\n"
    }

    /// The phases as a row of steps: done, current, to come.
    func phaseSteps(_ current: String) -> String {
        let index = PhaseText.steps.firstIndex { $0.phase == current }
        var out = "<ol class=\"steps\">"
        for (position, step) in PhaseText.steps.enumerated() {
            let state: String
            if let index { state = position < index ? "done" : (position == index ? "now" : "todo") } else { state = "todo" }
            out += "<li class=\"\(state)\">\(HTML.escape(step.name))</li>"
        }
        return out + "</ol>\n"
    }

    func lastReconcileCard() -> String {
        guard let last = document.lastReconcile else {
            return card("Last reconcile", id: "last-reconcile", "<p class=\"muted\">No reconcile pass yet.</p>\n")
        }
        let tone: String =
            switch last.result {
            case "succeeded": "ok"
            case "requeued", "waiting": "info"
            default: "bad"
            }
        var body =
            "<p>\(HTML.badge(last.result, tone: tone)) \(TimeText.element(last.at, now: now)), took \(HTML.escape(TimeText.duration(milliseconds: last.durationMs)))</p>\n"
        if let step = last.step { body += row("step", "<code>\(HTML.escape(step))</code>") }
        if let message = last.message { body += row("message", HTML.escape(message)) }
        return card("Last reconcile", id: "last-reconcile", body)
    }

    func gitCard() -> String {
        let git = document.git
        var body = row("head", HTML.revision(git.head))
        body += row("fetched", TimeText.element(git.lastFetchAt, now: now))
        if let error = git.lastError {
            body += "<p class=\"alert bad\"><strong>Fetch failing:</strong> \(HTML.escape(error))</p>\n"
        }
        body += row("replica", document.leader ? HTML.badge("leader", tone: "ok") : HTML.badge("standby", tone: "muted"))
        return card("Git", id: "git", tone: git.lastError == nil ? nil : "bad", body)
    }
}
