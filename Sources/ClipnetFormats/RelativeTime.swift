public import Foundation

/// How long ago, in words, as people read it on the status page and in the CLI.
public enum RelativeTime {
    /// `just now`, `45 s ago`, `3 min ago`, `2 h 5 min ago`, `3 d ago`; future times read `in …`.
    public static func words(_ date: Date, now: Date) -> String {
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

    /// `412 ms`, `3.2 s`, `2 min 5 s`: how long something took (the page, notifications).
    public static func duration(milliseconds: Double) -> String {
        switch milliseconds {
        case ..<1000: return "\(Int(milliseconds.rounded())) ms"
        case ..<60_000:
            let tenths = Int((milliseconds / 100).rounded())
            return "\(tenths / 10).\(tenths % 10) s"
        default:
            let seconds = Int(milliseconds / 1000)
            return "\(seconds / 60) min \(seconds % 60) s"
        }
    }
}
