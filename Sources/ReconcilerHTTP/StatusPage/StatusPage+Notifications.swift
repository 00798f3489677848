import ClipnetContracts
import Foundation

/// The notifications card: each channel, whether it delivers, and what it owes. A failing
/// channel is shown here (and in `/metrics`), never as a rollout's problem.
extension StatusPage {
    func notificationsCard() -> String {
        guard let channels = document.notifications, !channels.isEmpty else { return "" }
        var body = ""
        for channel in channels {
            let tone = channel.state == "ok" ? "ok" : channel.state == "failing" ? "warn" : "muted"
            var value = "\(HTML.badge(channel.state, tone: tone)) \(HTML.escape(channel.kind)) <code>\(HTML.escape(channel.target))</code>"
            value += " · \(channel.delivered) sent"
            if channel.pending > 0 { value += " · <strong>\(channel.pending) waiting</strong>" }
            if let at = channel.lastDeliveredAt { value += " · last \(TimeText.element(at, now: now))" }
            if let error = channel.lastError, channel.state != "ok" {
                var problem = HTML.escape(error)
                if channel.failures > 0 { problem += " (\(channel.failures) attempts in a row)" }
                if let next = channel.nextAttemptAt { problem += "; next try \(TimeText.element(next, now: now))" }
                value += "<br><span class=\"muted\">\(problem)</span>"
            }
            body += row(channel.name, value)
        }
        let failing = channels.contains { $0.state == "failing" }
        return card("Notifications", id: "notifications", tone: failing ? "warn" : nil, body)
    }
}
