import ClipnetFormats
import Foundation

enum RFC3339Stamp {
    /// 2026-11-30T16:00:00.000Z -> 20261130T160000Z
    static func compact(_ date: Date) -> String {
        RFC3339.string(from: date).prefix(19).filter { $0 != ":" && $0 != "-" } + "Z"
    }
}
