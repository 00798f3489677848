/// Pieces of the Prometheus text exposition format for metrics rendered by hand (state gauges
/// computed from the status document).
public enum PrometheusText {
    /// A label value as the text format wants it: backslash, double quote and newline escaped
    /// (job types and revisions come from elsewhere and may contain anything).
    public static func labelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
