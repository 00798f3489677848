import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler

/// The HTML page at `GET /`: what on-call reads on a laptop or a phone at 3 a.m. Server-side
/// rendered, inline CSS, no script and nothing loaded from elsewhere; it reloads itself.
struct StatusPage {
    let document: StatusDocument
    /// Newest first; nil when the history could not be read (the page says so and still renders).
    let history: [HistoryEntry]?
    let now: Date
    let refreshSeconds: Int

    func render() -> String {
        let environment = HTML.escape(document.environment)
        let verdict = Verdict(document)
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <meta name="robots" content="noindex">
            <title>\(HTML.escape(verdict.title)) · \(environment) · CLIPNET reconciler</title>
            <style>\(StatusPageStyle.css)</style>
            </head>
            <body>
            <header class="top \(verdict.tone)">
            <div class="wrap">
            <div class="title"><h1>CLIPNET <span>\(environment)</span></h1>\(HTML.badge(verdict.title, tone: verdict.tone))</div>
            <p class="summary" id="verdict">\(HTML.escape(verdict.detail))</p>
            <p class="meta">branch <code>\(HTML.escape(document.branch))</code> · \(document.leader ? "this replica leads" : "<strong>standby replica</strong> (another one leads)") · rendered <time datetime="\(ContractJSON.rfc3339(now))">\(HTML.escape(Self.clock(now))) UTC</time> · reloads every \(refreshSeconds) s</p>
            </div>
            </header>
            <main class="wrap">

            """
        html += "<section class=\"cards\">\n"
        let cards: [String] = [
            desiredCard(), knownGoodCard(), rolloutCard(), lastReconcileCard(), gitCard(), workersCard(), inventoryCard(), platformsCard(),
            deliveryCard(), notificationsCard(),
        ]
        html += cards.joined()
        html += "</section>\n"
        html += servicesSection() + driftSection() + historySection()
        html += """
            </main>
            <footer class="wrap"><a href="/status">status JSON</a> · <a href="/history">history</a> · <a href="/plan">plan</a> · <a href="/metrics">metrics</a> · <a href="/readyz">readiness</a></footer>
            </body>
            </html>

            """
        return html
    }

    /// `10:00:00` of `date` in UTC.
    static func clock(_ date: Date) -> String {
        let stamp = ContractJSON.rfc3339(date)
        guard let t = stamp.firstIndex(of: "T") else { return stamp }
        return String(stamp[stamp.index(after: t)...].prefix(8))
    }
}

/// The page's rendering of the shared verdict (`StatusVerdict`, the same rule as the CLI's first
/// line), with the phase names people read.
struct Verdict {
    let title: String
    let detail: String
    /// `ok`, `info`, `warn` or `bad`: the header's colour.
    let tone: String

    init(_ document: StatusDocument) {
        let verdict = StatusVerdict(document)
        tone = verdict.tone
        let desired = document.desired.revision.map { String($0.prefix(12)) } ?? "nothing yet"
        switch verdict.kind {
        case .rollingOut(let revision, let phase, _):
            title = "Rolling out"
            detail = "Rolling out \(revision.prefix(12)): \(PhaseText.name(phase))."
        case .heldBack(_, let reason):
            title = "Held back"
            detail = "\(desired) failed (\(reason)); it will not roll out again until a new commit or a retry."
        case .blocked(let why):
            title = "Blocked"
            detail = why
        case .unhealthy(let names):
            title = "Unhealthy"
            detail = "Failing health checks: \(names.joined(separator: ", "))."
        case .drift(let count):
            title = "Drift"
            detail = "\(count) difference\(count == 1 ? "" : "s") between \(desired) and what runs."
        case .reconcileFailed(let result, let message):
            title = "Reconcile \(result)"
            detail = message ?? "The last reconcile did not complete."
        case .starting:
            title = "Starting"
            detail = "The branch has not been fetched yet."
        case .inSync(_, let pinned):
            title = "In sync"
            detail = "Every service runs \(desired)\(pinned ? " (pinned)" : "")."
        }
    }
}
