import Foundation

/// A YAML value with the position it came from. Yams' `Node` is not `Sendable` and its marks
/// carry no file name; this small tree keeps both, and layering keeps the winning node's
/// position, so a diagnostic on the layered manifest still points into the right file.
struct ConfigNode: Sendable {
    /// The YAML type of a scalar, as resolved by the YAML 1.1 rules of Yams' default resolver.
    enum ScalarType: Sendable, Equatable {
        case string, integer, float, boolean, null, timestamp, other

        /// Used in "found ..." messages.
        var phrase: String {
            switch self {
            case .string: "a string"
            case .integer: "an integer"
            case .float: "a number"
            case .boolean: "a boolean"
            case .null: "null"
            case .timestamp: "a timestamp"
            case .other: "a tagged scalar"
            }
        }
    }

    struct Entry: Sendable {
        var key: String
        var keyLocation: SourceLocation
        var value: ConfigNode
    }

    enum Kind: Sendable {
        case scalar(String, ScalarType)
        case mapping([Entry])
        case sequence([ConfigNode])
    }

    var kind: Kind
    var location: SourceLocation

    /// Used in "found ..." messages.
    var phrase: String {
        switch kind {
        case .scalar(_, let type): type.phrase
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    var entries: [Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    var scalarType: ScalarType? {
        if case .scalar(_, let type) = kind { return type }
        return nil
    }

    /// The value at `key` of a mapping.
    subscript(key: String) -> ConfigNode? {
        entries?.first { $0.key == key }?.value
    }

    /// The entry at `key` of a mapping, with the key's own position.
    func entry(_ key: String) -> Entry? {
        entries?.first { $0.key == key }
    }

    /// The text of a string-typed scalar.
    var string: String? {
        if case .scalar(let text, .string) = kind { return text }
        return nil
    }

    /// An integer scalar's value in any YAML 1.1 base (`1_000`, `0x708`, `0o17`, `0b101`), or nil
    /// when it does not fit an `Int` (the validator then says what was found).
    var int: Int? {
        guard case .scalar(let text, .integer) = kind else { return nil }
        return Self.integer(text)
    }

    static func integer(_ text: String) -> Int? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        var sign = 1
        if digits.hasPrefix("-") || digits.hasPrefix("+") {
            sign = digits.hasPrefix("-") ? -1 : 1
            digits = digits.dropFirst()
        }
        var radix = 10
        for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.lowercased().hasPrefix(prefix) {
            radix = base
            digits = digits.dropFirst(2)
        }
        if radix == 10, digits.count > 1, digits.hasPrefix("0") { radix = 8 }
        guard !digits.isEmpty, let magnitude = Int(digits, radix: radix) else { return nil }
        return sign == 1 ? magnitude : -magnitude
    }

    var bool: Bool? {
        guard case .scalar(let text, .boolean) = kind else { return nil }
        return ["yes", "true", "on"].contains(text.lowercased())
    }
}
