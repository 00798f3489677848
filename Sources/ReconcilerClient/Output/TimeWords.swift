import Foundation
import KnownGoodStore

/// Times as the commands print them: RFC 3339 UTC, with how long ago in words.
public enum TimeWords {
    public static func stamp(_ date: Date) -> String {
        let text = StateCoding.rfc3339(date)
        // Drop the milliseconds for people: 2026-11-30T10:00:00Z.
        if let dot = text.firstIndex(of: "."), text.hasSuffix("Z") { return String(text[..<dot]) + "Z" }
        return text
    }

    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<5: return "just now"
        case ..<60: text = "\(magnitude) s"
        case ..<3600: text = "\(magnitude / 60) min"
        case ..<86_400: text = "\(magnitude / 3600) h \((magnitude % 3600) / 60) min"
        default: text = "\(magnitude / 86_400) d"
        }
        return seconds >= 0 ? "\(text) ago" : "in \(text)"
    }

    /// `2026-11-30T10:00:00Z (3 min ago)`
    public static func both(_ date: Date, now: Date) -> String {
        "\(stamp(date)) (\(ago(date, now: now)))"
    }
}
