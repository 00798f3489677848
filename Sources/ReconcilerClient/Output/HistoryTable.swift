public import ClipnetContracts
public import Foundation

/// `reconciler history`: one line per entry, newest first.
public enum HistoryTable {
    /// - Parameter readiness: the known-good records a rollback may go back to, as `/status`
    ///   reports them, listed under the entries ("rollback-ready", "expires about T", "expired").
    public static func render(_ entries: [HistoryEntry], readiness: [StatusDocument.RollbackReadiness] = [], now: Date = Date()) -> String {
        let targets = readinessLines(readiness)
        guard !entries.isEmpty else { return "No history yet.\n" + targets }
        var table = TextTable(header: ["#", "WHEN", "EVENT", "REVISION", "BY", "WHY"])
        for entry in entries {
            let why = [entry.reason, entry.detail].compactMap { $0 }.joined(separator: "; ")
            table.rows.append([
                String(entry.sequence), TimeWords.stamp(entry.at), entry.kind.rawValue,
                entry.revision.map { String($0.prefix(12)) } ?? "-", entry.by ?? "-", why,
            ])
        }
        return table.render() + "\n" + targets
    }

    static func readinessLines(_ readiness: [StatusDocument.RollbackReadiness]) -> String {
        guard !readiness.isEmpty else { return "" }
        var table = TextTable(header: ["ROLLBACK TARGET", "READINESS", "CHECKED", "DETAIL"])
        for item in readiness {
            let state =
                switch item.state {
                case "ready": item.expiresAt.map { "rollback-ready, expires about \(TimeWords.stamp($0))" } ?? "rollback-ready"
                case "expired": "expired: a rollback needs a rebuild"
                default: "unknown"
                }
            table.rows.append([String(item.revision.prefix(12)), state, TimeWords.stamp(item.checkedAt), item.detail])
        }
        return "\n" + table.render() + "\n"
    }
}
