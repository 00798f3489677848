import ClipnetJSON
import Logging

/// One record, ready to be written in either format. Fields are already flattened and masked.
struct LogRecord {
    /// Keys the record itself uses; a metadata key with one of these names is written as
    /// `metadata.<key>` so it cannot overwrite them.
    static let reservedKeys: Set<String> = ["time", "level", "label", "message", "error"]

    var time: String
    var level: Logger.Level
    var label: String
    var message: String
    var error: String?
    var fields: [(key: String, value: MetadataFlattening.Value)]

    /// `{"time":…,"level":…,"label":…,"message":…,"error"?:…, metadata keys sorted}` and a newline.
    func jsonLine() -> String {
        var out = "{\"time\":"
        JSONText.appendString(time, to: &out)
        out += ",\"level\":"
        JSONText.appendString(level.rawValue, to: &out)
        out += ",\"label\":"
        JSONText.appendString(label, to: &out)
        out += ",\"message\":"
        JSONText.appendString(message, to: &out)
        if let error {
            out += ",\"error\":"
            JSONText.appendString(error, to: &out)
        }
        for field in fields {
            out += ","
            JSONText.appendString(Self.reservedKeys.contains(field.key) ? "metadata.\(field.key)" : field.key, to: &out)
            out += ":"
            switch field.value {
            case .string(let text):
                JSONText.appendString(text, to: &out)
            case .list(let items):
                out += "["
                for (index, item) in items.enumerated() {
                    if index > 0 { out += "," }
                    JSONText.appendString(item, to: &out)
                }
                out += "]"
            }
        }
        out += "}\n"
        return out
    }

    /// `2026-11-30T10:00:00.000Z  info clipnet.reconciler: Rolled out revision=… service=api` and a
    /// newline; line breaks inside the message or values are written as `\n` so a record stays on one line.
    func textLine() -> String {
        var out = time + " " + Self.paddedLevel(level) + " " + label + ": " + Self.oneLine(message)
        if let error { out += " error=" + Self.quotedIfNeeded(error) }
        for field in fields {
            out += " " + field.key + "="
            switch field.value {
            case .string(let text): out += Self.quotedIfNeeded(text)
            case .list(let items): out += "[" + items.map(Self.quotedIfNeeded).joined(separator: ",") + "]"
            }
        }
        out += "\n"
        return out
    }

    private static func paddedLevel(_ level: Logger.Level) -> String {
        let name = level.rawValue
        return String(repeating: " ", count: max(0, 8 - name.count)) + name
    }

    private static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func quotedIfNeeded(_ text: String) -> String {
        let plain = !text.isEmpty && !text.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\t" }
        if plain { return text }
        var out = ""
        JSONText.appendString(text, to: &out)
        return out
    }
}
