/// JSON string escaping, shared by everything that writes JSON text by hand (the untyped value,
/// the log handler, the HTTP error bodies) instead of through Foundation's serializer.
public enum JSONText {
    /// Appends `text` as a quoted JSON string: quotes, backslashes and control characters escaped,
    /// and U+2028/U+2029 too, so the output is also safe inside JavaScript and log viewers.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F || (0x2028...0x2029).contains(control.value):
                out += "\\u" + hex4(control.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
