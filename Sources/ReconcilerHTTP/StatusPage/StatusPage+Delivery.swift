import ClipnetContracts
import Foundation

/// The delivery card: the four DORA figures for the last 7 and 30 days, side by side, so a
/// trend is visible without Grafana.
extension StatusPage {
    func deliveryCard() -> String {
        guard let windows = document.delivery?.windows, !windows.isEmpty else { return "" }
        var body = "<table class=\"delivery\"><thead><tr><th></th>"
        for window in windows { body += "<th>\(window.days) days</th>" }
        body += "</tr></thead><tbody>"
        func line(_ name: String, _ value: (DeliverySummary.Window) -> String) {
            body += "<tr><td>\(HTML.escape(name))</td>" + windows.map { "<td>\(HTML.escape(value($0)))</td>" }.joined() + "</tr>"
        }
        line("deployments") { "\($0.deployments) (\(String(format: "%.1f", $0.deploymentsPerDay)) a day)" }
        line("lead time, median") { $0.leadTimeSeconds.map { TimeText.duration(milliseconds: $0 * 1000) } ?? "–" }
        line("change failure rate") { window in
            window.changeFailureRate.map { "\(Int(($0 * 100).rounded())) % (\(window.failedRollouts) failed)" } ?? "–"
        }
        line("time to restore, median") { window in
            window.timeToRestoreSeconds.map { "\(TimeText.duration(milliseconds: $0 * 1000)) (\(window.restores))" } ?? "–"
        }
        body += "</tbody></table>\n"
        return card("Delivery", id: "delivery", body)
    }
}
