import Foundation
import KnownGoodStore

/// `reconciler history`: one line per entry, newest first.
public enum HistoryTable {
    public static func render(_ entries: [HistoryEntry], now: Date = Date()) -> String {
        guard !entries.isEmpty else { return "No history yet.\n" }
        var table = TextTable(header: ["#", "WHEN", "EVENT", "REVISION", "BY", "WHY"])
        for entry in entries {
            let why = [entry.reason, entry.detail].compactMap { $0 }.joined(separator: "; ")
            table.rows.append([
                String(entry.sequence), TimeWords.stamp(entry.at), entry.kind.rawValue,
                entry.revision.map { String($0.prefix(12)) } ?? "-", entry.by ?? "-", why,
            ])
        }
        return table.render() + "\n"
    }
}
