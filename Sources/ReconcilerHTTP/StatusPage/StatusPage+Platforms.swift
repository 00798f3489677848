import ClipnetContracts
import Foundation
import Reconciler

/// The platforms card: whether each accepts the daemon's token, how much of each request budget
/// the last hour used, and whether the revisions a rollback may go back to can still be
/// re-pointed without a rebuild.
extension StatusPage {
    func platformsCard() -> String {
        let access = document.platformAccess ?? []
        let requests = document.platformRequests ?? []
        let readiness = document.rollbackReadiness ?? []
        guard !access.isEmpty || !requests.isEmpty || !readiness.isEmpty else { return "" }
        var body = ""
        var tone: String?
        for entry in access {
            let name = entry.platform == .railway ? "Railway" : "Vercel"
            let badge: String
            switch entry.state {
            case .verified: badge = HTML.badge("token accepted", tone: "ok")
            case .unchecked: badge = HTML.badge("token not checked yet", tone: "info")
            case .unreachable: badge = HTML.badge("could not ask", tone: "warn")
            case .missing, .refused:
                badge = HTML.badge(entry.state == .missing ? "token missing" : "token refused", tone: "bad")
                tone = "bad"
            }
            let detail = [entry.tokenEnv, entry.detail].compactMap { $0 }.joined(separator: " · ")
            body += row(name, badge + " <span class=\"muted\">\(HTML.escape(detail))</span>")
        }
        for line in requests {
            let name = line.platform == "railway" ? "Railway" : (line.platform == "vercel" ? "Vercel" : line.platform)
            var value = "\(line.lastHour) requests in the last hour"
            if let budget = line.budgetPerHour { value += " of \(budget)" }
            if line.stretch > 1 {
                value += " " + HTML.badge("polling slowed ×\(String(format: "%.1f", line.stretch))", tone: "warn")
                tone = tone ?? "warn"
            }
            body += row(name, value)
        }
        for item in readiness {
            let value: String
            switch item.state {
            case "ready":
                value =
                    HTML.badge("rollback-ready", tone: "ok")
                    + (item.expiresAt.map { " <span class=\"muted\">expires \(TimeText.element($0, now: now))</span>" } ?? "")
            case "expired":
                value =
                    HTML.badge("expired", tone: "bad")
                    + " <span class=\"muted\">re-pointing no longer possible, a rollback needs a rebuild · \(HTML.escape(item.detail))</span>"
            default:
                value = HTML.badge("unknown", tone: "info") + " <span class=\"muted\">\(HTML.escape(item.detail))</span>"
            }
            body += row("rollback to " + String(item.revision.prefix(7)), value)
        }
        return card("Platforms", id: "platforms", tone: tone, body)
    }
}
