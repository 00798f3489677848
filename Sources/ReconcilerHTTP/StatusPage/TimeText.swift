import Foundation
import KnownGoodStore

/// Times as the status page shows them: RFC 3339 UTC in a `<time>` element, and how long ago.
enum TimeText {
    static func element(_ date: Date?, now: Date) -> String {
        guard let date else { return "<span class=\"muted\">never</span>" }
        let stamp = StateCoding.rfc3339(date)
        return "<time datetime=\"\(stamp)\" title=\"\(stamp)\">\(HTML.escape(relative(date, now: now)))</time>"
    }

    /// `just now`, `45 s ago`, `3 min ago`, `2 h 5 min ago`, `3 d ago`; future times read `in …`.
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<5: return "just now"
        case ..<60: text = "\(magnitude) s"
        case ..<3600: text = "\(magnitude / 60) min"
        case ..<86_400:
            let minutes = (magnitude % 3600) / 60
            text = "\(magnitude / 3600) h" + (minutes > 0 ? " \(minutes) min" : "")
        default: text = "\(magnitude / 86_400) d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }

    /// `412 ms`, `3.2 s`, `2 min 5 s`.
    static func duration(milliseconds: Double) -> String {
        switch milliseconds {
        case ..<1000: return "\(Int(milliseconds.rounded())) ms"
        case ..<60_000: return String(format: "%.1f s", milliseconds / 1000)
        default:
            let seconds = Int(milliseconds / 1000)
            return "\(seconds / 60) min \(seconds % 60) s"
        }
    }
}
