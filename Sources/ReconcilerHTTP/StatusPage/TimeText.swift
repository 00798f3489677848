import ClipnetContracts
import ClipnetFormats
import Foundation
import KnownGoodStore

/// Times as the status page shows them: RFC 3339 UTC in a `<time>` element, and how long ago.
enum TimeText {
    static func element(_ date: Date?, now: Date) -> String {
        guard let date else { return "<span class=\"muted\">never</span>" }
        let stamp = ContractJSON.rfc3339(date)
        return "<time datetime=\"\(stamp)\" title=\"\(stamp)\">\(HTML.escape(relative(date, now: now)))</time>"
    }

    static func relative(_ date: Date, now: Date) -> String {
        RelativeTime.words(date, now: now)
    }

    /// `412 ms`, `3.2 s`, `2 min 5 s`.
    static func duration(milliseconds: Double) -> String {
        RelativeTime.duration(milliseconds: milliseconds)
    }
}
