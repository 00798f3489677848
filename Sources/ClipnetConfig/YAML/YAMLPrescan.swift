/// A look at YAML text before the parser sees it, for what the parser itself cannot bound: its
/// recursion follows the nesting (a megabyte of `[` overflows the stack) and it expands aliases
/// while building the tree.
///
/// The scan is lexical and deliberately approximate in one direction only: it may count a `*`
/// or a bracket that the parser would read as text (inside a block scalar), never miss one that
/// the parser would read as an alias or as nesting outside quoted text.
enum YAMLPrescan {
    /// The first limit `text` breaks, as a diagnostic of `file`; nil when it breaks none.
    static func check(_ text: String, file: String, limits: ManifestLimits) -> Diagnostic? {
        let size = text.utf8.count
        if size > limits.maximumBytes {
            return Diagnostic(
                .limit, at: SourceLocation(file: file, line: 1, column: 1),
                "the file is \(size) bytes; the limit is \(limits.maximumBytes) bytes")
        }
        var aliases = 0
        var line = 1
        var lineStart = true
        var indentation = 0
        var column = 0
        var flowDepth = 0
        var quote: UInt8?
        var previous: UInt8 = UInt8(ascii: "\n")
        var inComment = false
        // The indentation limit keeps block nesting within the depth limit too (one column per
        // level at the very least), so the parser's recursion stays bounded.
        let maximumIndentation = limits.maximumDepth * 2
        for byte in text.utf8 {
            column += 1
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 0
                lineStart = true
                indentation = 0
                inComment = false
                // Quoted scalars rarely span lines in configuration; ending them here keeps one
                // stray quote from hiding the rest of the file from the scan.
                quote = nil
                previous = byte
                continue
            }
            if lineStart {
                if byte == UInt8(ascii: " ") {
                    indentation += 1
                    if indentation > maximumIndentation {
                        return Diagnostic(
                            .limit, at: SourceLocation(file: file, line: line, column: column),
                            "indented more than \(maximumIndentation) columns; the nesting limit is \(limits.maximumDepth) levels")
                    }
                    previous = byte
                    continue
                }
                lineStart = false
            }
            if inComment { continue }
            if let open = quote {
                if byte == open { quote = nil }
                previous = byte
                continue
            }
            let atTokenStart = [
                UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "["), UInt8(ascii: "{"),
                UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"),
            ].contains(previous)
            switch byte {
            case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") || previous == UInt8(ascii: "\n"):
                inComment = true
            case UInt8(ascii: "'") where atTokenStart, UInt8(ascii: "\"") where atTokenStart:
                quote = byte
            case UInt8(ascii: "*") where atTokenStart:
                aliases += 1
                if aliases > limits.maximumAliases {
                    return Diagnostic(
                        .limit, at: SourceLocation(file: file, line: line, column: column),
                        "more than \(limits.maximumAliases) aliases; the limit is \(limits.maximumAliases)")
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                if flowDepth > limits.maximumDepth {
                    return Diagnostic(
                        .limit, at: SourceLocation(file: file, line: line, column: column),
                        "nested deeper than \(limits.maximumDepth) levels; the limit is \(limits.maximumDepth)")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth = max(0, flowDepth - 1)
            default:
                break
            }
            previous = byte
        }
        return nil
    }
}
