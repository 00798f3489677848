import ClipnetContracts
import Foundation
import Reconciler

/// The inventory card: resources the services need but the reconciler does not deploy (the
/// worker's Cloudinary folder). A missing one is a warning, not a verdict: the header's badge
/// and the rollouts do not depend on it.
extension StatusPage {
    func inventoryCard() -> String {
        let items = document.inventory ?? []
        guard !items.isEmpty else { return "" }
        var body = ""
        for item in items {
            let badge: String =
                switch item.state {
                case StatusDocument.InventoryItem.State.exists.rawValue: HTML.badge("exists", tone: "ok")
                case StatusDocument.InventoryItem.State.missing.rawValue: HTML.badge("missing", tone: "warn")
                case StatusDocument.InventoryItem.State.notConfigured.rawValue: HTML.badge("not configured", tone: "muted")
                default: HTML.badge(item.state, tone: "warn")
                }
            var value = (item.target.map { "<code>\(HTML.escape($0))</code> " } ?? "") + badge
            if let detail = item.detail { value += " <span class=\"muted\">\(HTML.escape(detail))</span>" }
            value += " <span class=\"muted\">· checked \(TimeText.element(item.checkedAt, now: now))</span>"
            body += row(item.name, value)
        }
        return card("Inventory", id: "inventory", tone: items.contains(where: \.needsAttention) ? "warn" : nil, body)
    }
}
