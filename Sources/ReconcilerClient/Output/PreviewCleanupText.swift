public import ClipnetContracts

/// `reconciler cleanup-preview`: what was found in Vercel's preview target, and what was removed.
public enum PreviewCleanupText {
    public static func render(_ result: PreviewCleanup) -> String {
        let revision = result.revision.map { " (compared with the manifest at \(String($0.prefix(12))))" } ?? ""
        guard !result.found.isEmpty else {
            return "No staging variables left in Vercel's preview target\(revision).\n"
        }
        var table = TextTable(header: ["KEY", "TYPE", "ID", "WHY IT IS OURS", result.applied ? "REMOVED" : ""])
        let removed = Set(result.removed.map(\.id))
        for variable in result.found {
            table.rows.append([
                variable.key, variable.type ?? "-", variable.id, variable.evidence,
                result.applied ? (removed.contains(variable.id) ? "yes" : "no (changed since)") : "",
            ])
        }
        var text = "\(result.found.count) staging variable(s) in Vercel's preview target\(revision):\n" + table.render() + "\n"
        if result.applied {
            text += "Removed \(result.removed.count). Rotate the secrets among them: every preview deployment could read them.\n"
        } else {
            text += "Nothing removed. Run again with --apply to remove them.\n"
        }
        return text
    }
}
