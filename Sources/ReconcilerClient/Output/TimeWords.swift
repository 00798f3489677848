import ClipnetContracts
import ClipnetFormats
public import Foundation

/// Times as the commands print them: RFC 3339 UTC, with how long ago in words.
public enum TimeWords {
    public static func stamp(_ date: Date) -> String {
        let text = ContractJSON.rfc3339(date)
        // Drop the milliseconds for people: 2026-11-30T10:00:00Z.
        if let dot = text.firstIndex(of: "."), text.hasSuffix("Z") { return String(text[..<dot]) + "Z" }
        return text
    }

    public static func ago(_ date: Date, now: Date) -> String {
        RelativeTime.words(date, now: now)
    }

    /// `2026-11-30T10:00:00Z (3 min ago)`
    public static func both(_ date: Date, now: Date) -> String {
        "\(stamp(date)) (\(ago(date, now: now)))"
    }
}
