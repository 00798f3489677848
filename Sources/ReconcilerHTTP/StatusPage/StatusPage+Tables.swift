import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler

/// The services, drift and history sections of the status page. Tables carry `data-label` on
/// each cell so that, on a phone, each row folds into a small card.
extension StatusPage {
    func servicesSection() -> String {
        var out = "<section id=\"services\"><h2>Services</h2>\n"
        guard !document.services.isEmpty else {
            return out + "<p class=\"muted\">Not observed yet.</p></section>\n"
        }
        out +=
            "<table><thead><tr><th>service</th><th>platform</th><th>revision</th><th>deployment</th><th>status</th><th>health</th></tr></thead><tbody>\n"
        for service in document.services {
            let atDesired = service.revision != nil && service.revision == document.desired.revision
            let revision =
                HTML.revision(service.revision)
                + (service.revision == nil ? "" : " " + (atDesired ? HTML.badge("desired", tone: "ok") : HTML.badge("not desired", tone: "warn")))
                + (service.revisionSource.map { "<div class=\"note\">from \(HTML.escape(Self.sourceName($0)))</div>" } ?? "")
            let health: String =
                switch service.healthy {
                case .some(true): HTML.badge("healthy", tone: "ok")
                case .some(false): HTML.badge("unhealthy", tone: "bad")
                case .none: HTML.badge("unknown", tone: "muted")
                }
            out += "<tr><td data-label=\"service\"><strong>\(HTML.escape(service.name))</strong></td>"
            out += "<td data-label=\"platform\">\(HTML.escape(service.platform))</td>"
            out += "<td data-label=\"revision\">\(revision)</td>"
            out +=
                "<td data-label=\"deployment\">\(service.deploymentId.map { "<code class=\"id\">\(HTML.escape($0))</code>" } ?? "<span class=\"muted\">none</span>")</td>"
            out += "<td data-label=\"status\">\(HTML.escape(service.status))</td>"
            out += "<td data-label=\"health\">\(health)\(service.detail.map { "<div class=\"note\">\(HTML.escape($0))</div>" } ?? "")</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if let problems = document.problems, !problems.isEmpty {
            out +=
                "<p class=\"alert warn\" id=\"problems\"><strong>Not read this pass:</strong> "
                + problems.map(HTML.escape).joined(separator: "; ") + "</p>\n"
        }
        return out + "</section>\n"
    }

    func driftSection() -> String {
        var out = "<section id=\"drift\"><h2>Drift</h2>\n"
        guard !document.drift.isEmpty else {
            // No drift items is not "in sync" while the services are not at the desired revision
            // (blocked, held back, rolling out): say which.
            guard StatusVerdict(document).inSync || document.services.isEmpty else {
                return out
                    + "<p class=\"muted\">No drift measured, but not every service runs the desired revision: see the verdict above.</p></section>\n"
            }
            return out + "<p class=\"ok-text\">No drift: what runs matches the desired state.</p></section>\n"
        }
        out += "<ul class=\"drift\">\n"
        for item in document.drift {
            let policy = item.policy.map { $0 == "heal" ? HTML.badge("policy: heal", tone: "info") : HTML.badge("policy: \($0)", tone: "warn") } ?? ""
            out += "<li><div class=\"drift-head\"><strong>\(HTML.escape(item.kind))</strong>"
            out += item.service.map { " <span class=\"muted\">on</span> <code>\(HTML.escape($0))</code>" } ?? ""
            out += " \(policy)</div><div class=\"drift-detail\">\(HTML.escape(item.detail))</div></li>\n"
        }
        return out + "</ul></section>\n"
    }

    func historySection() -> String {
        var out = "<section id=\"history\"><h2>Recent history</h2>\n"
        guard let history else {
            return out + "<p class=\"alert bad\">History is unavailable right now (the state store did not answer).</p></section>\n"
        }
        guard !history.isEmpty else {
            return out + "<p class=\"muted\">Nothing has happened yet.</p></section>\n"
        }
        out += "<table class=\"history\"><thead><tr><th>when</th><th>event</th><th>revision</th><th>by</th><th>why</th></tr></thead><tbody>\n"
        for entry in history {
            let why =
                [entry.reason, entry.detail].compactMap { $0 }.map(HTML.escape).joined(separator: "<br><span class=\"muted\">")
                + (entry.reason != nil && entry.detail != nil ? "</span>" : "")
            out += "<tr><td data-label=\"when\">\(TimeText.element(entry.at, now: now))</td>"
            out += "<td data-label=\"event\">\(HTML.badge(Self.eventName(entry.kind), tone: Self.eventTone(entry.kind)))</td>"
            out += "<td data-label=\"revision\">\(HTML.revision(entry.revision))</td>"
            out += "<td data-label=\"by\">\(entry.by.map(HTML.escape) ?? "")</td>"
            out += "<td data-label=\"why\">\(why)</td></tr>\n"
        }
        return out + "</tbody></table></section>\n"
    }

    /// `versionEndpoint` → "version endpoint": the status document's names, in words.
    static func sourceName(_ source: String) -> String {
        switch source {
        case "versionEndpoint": "version endpoint"
        case "heartbeat": "heartbeat"
        case "platform": "platform record"
        default: source
        }
    }

    static func eventName(_ kind: HistoryKind) -> String {
        switch kind {
        case .rolloutStarted: "rollout started"
        case .knownGood: "known-good"
        case .rolloutFailed: "rollout failed"
        case .rolledBack: "rolled back"
        case .pinned: "pinned"
        case .unpinned: "unpinned"
        case .retried: "retry"
        case .driftHealed: "drift healed"
        case .rolloutSuperseded: "superseded"
        case .repointed: "re-pointed"
        case .promoted: "promoted"
        case .requested: "deploy requested"
        case .unmarked: "request cleared"
        }
    }

    static func eventTone(_ kind: HistoryKind) -> String {
        switch kind {
        case .knownGood, .driftHealed, .repointed: "ok"
        case .rolloutFailed, .rolledBack: "bad"
        case .pinned, .unpinned, .retried, .rolloutSuperseded: "warn"
        case .promoted, .requested, .unmarked: "info"
        case .rolloutStarted: "info"
        }
    }
}
