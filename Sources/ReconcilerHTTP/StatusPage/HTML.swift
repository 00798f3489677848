/// HTML text helpers for the status page. Every value from the daemon (revisions, reasons, error
/// texts, names) goes through `escape` before it reaches the page.
enum HTML {
    /// Escapes text for element content and for double- or single-quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A revision in monospace: the first 12 characters shown, the full id in the title and in a
    /// `data-revision` attribute (so it can be copied and searched for).
    static func revision(_ revision: String?, full: Bool = false) -> String {
        guard let revision else { return "<span class=\"muted\">none</span>" }
        let shown = full ? revision : String(revision.prefix(12))
        return "<code class=\"rev\" title=\"\(escape(revision))\" data-revision=\"\(escape(revision))\">\(escape(shown))</code>"
    }

    /// A small coloured label: `tone` is one of `ok`, `warn`, `bad`, `info`, `muted`.
    static func badge(_ text: String, tone: String) -> String {
        "<span class=\"badge \(tone)\">\(escape(text))</span>"
    }

    /// A message whose first line is the sentence and whose further lines are its causes (a
    /// refused manifest lists one diagnostic per line): the sentence, then the causes as a list,
    /// each on its own line instead of one overflowing paragraph.
    static func causes(_ message: String) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let first = lines.first else { return "" }
        guard lines.count > 1 else { return escape(first) }
        return escape(first) + "<ul class=\"causes\">" + lines.dropFirst().map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
    }
}
