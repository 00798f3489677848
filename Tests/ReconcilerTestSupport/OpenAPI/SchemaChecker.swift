public import ClipnetJSON
import Foundation

/// Checks a JSON value against a JSON Schema (the 2020-12 subset OpenAPI 3.1 documents use here):
/// `$ref` to `#/...`, `type` (one or several), `properties`, `required`, `additionalProperties`,
/// `items`, `enum`, `const`, `pattern`, `format: date-time`, `minimum`, `maximum`, `minLength`, `maxLength`,
/// `minItems`, `oneOf`, `anyOf`, `allOf`. Keywords it does not know are ignored (`description`,
/// `example`), so a schema using an unsupported constraint is checked less, never wrongly.
///
/// Why our own: a dozen keywords cover the operator API, and a checker in test support keeps a
/// JSON Schema library out of the package.
public struct SchemaChecker: Sendable {
    /// The document `$ref`s resolve in.
    public let root: JSONValue

    public init(root: JSONValue) {
        self.root = root
    }

    /// Every way `value` breaks `schema`, each as `location: problem`; empty when it conforms.
    public func problems(_ value: JSONValue, against schema: JSONValue, at location: String = "$") -> [String] {
        guard case .object(let keywords) = schema else {
            if case .bool(false) = schema { return ["\(location): no value is allowed here"] }
            return []
        }
        if let reference = keywords["$ref"]?.stringValue {
            guard let target = resolve(reference) else { return ["\(location): unresolvable $ref \(reference)"] }
            return problems(value, against: target, at: location)
        }
        var found: [String] = []
        if let types = keywords["type"] {
            let allowed = types.arrayValue?.compactMap(\.stringValue) ?? [types.stringValue].compactMap { $0 }
            if !allowed.contains(where: { Self.matches(value, type: $0) }) {
                return ["\(location): expected \(allowed.joined(separator: " or ")), found \(Self.typeName(value))"]
            }
        }
        if let options = keywords["enum"]?.arrayValue, !options.contains(value) {
            found.append("\(location): \(Self.short(value)) is not one of \(options.map(Self.short).joined(separator: ", "))")
        }
        if let constant = keywords["const"], constant != value {
            found.append("\(location): expected \(Self.short(constant)), found \(Self.short(value))")
        }
        switch value {
        case .string(let text):
            found += stringProblems(text, keywords, location)
        case .number(let number):
            if let minimum = keywords["minimum"]?.numberValue, number < minimum { found.append("\(location): \(number) < minimum \(minimum)") }
            if let maximum = keywords["maximum"]?.numberValue, number > maximum { found.append("\(location): \(number) > maximum \(maximum)") }
        case .array(let items):
            if let minimum = keywords["minItems"]?.numberValue, Double(items.count) < minimum {
                found.append("\(location): \(items.count) items, fewer than \(Int(minimum))")
            }
            if let itemSchema = keywords["items"] {
                for (index, item) in items.enumerated() { found += problems(item, against: itemSchema, at: "\(location)[\(index)]") }
            }
        case .object(let object):
            found += objectProblems(object, keywords, location)
        case .null, .bool:
            break
        }
        if let all = keywords["allOf"]?.arrayValue {
            for schema in all { found += problems(value, against: schema, at: location) }
        }
        if let any = keywords["anyOf"]?.arrayValue, !any.contains(where: { problems(value, against: $0, at: location).isEmpty }) {
            found.append("\(location): matches none of anyOf")
        }
        if let one = keywords["oneOf"]?.arrayValue {
            let matching = one.filter { problems(value, against: $0, at: location).isEmpty }.count
            if matching != 1 { found.append("\(location): matches \(matching) of oneOf, expected exactly 1") }
        }
        return found
    }

    private func stringProblems(_ text: String, _ keywords: [String: JSONValue], _ location: String) -> [String] {
        var found: [String] = []
        if let pattern = keywords["pattern"]?.stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    found.append("\(location): \(Self.short(.string(text))) does not match \(pattern)")
                }
            } else {
                found.append("\(location): the schema's pattern \(pattern) is not a valid regular expression")
            }
        }
        if let minimum = keywords["minLength"]?.numberValue, Double(text.count) < minimum {
            found.append("\(location): shorter than \(Int(minimum)) characters")
        }
        if let maximum = keywords["maxLength"]?.numberValue, Double(text.count) > maximum {
            found.append("\(location): longer than \(Int(maximum)) characters")
        }
        if keywords["format"]?.stringValue == "date-time", !Self.isDateTime(text) {
            found.append("\(location): \(Self.short(.string(text))) is not an RFC 3339 date-time")
        }
        return found
    }

    private func objectProblems(_ object: [String: JSONValue], _ keywords: [String: JSONValue], _ location: String) -> [String] {
        var found: [String] = []
        let properties = keywords["properties"]?.objectValue ?? [:]
        for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            found.append("\(location): missing required property '\(name)'")
        }
        for (name, member) in object.sorted(by: { $0.key < $1.key }) {
            if let schema = properties[name] {
                found += problems(member, against: schema, at: "\(location).\(name)")
            } else if let additional = keywords["additionalProperties"] {
                if case .bool(false) = additional {
                    found.append("\(location): property '\(name)' is not in the schema")
                } else {
                    found += problems(member, against: additional, at: "\(location).\(name)")
                }
            }
        }
        return found
    }

    /// The value at a `#/a/b/c` JSON pointer in `root`.
    public func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var current: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            current = current?[key]
        }
        return current
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    static func short(_ value: JSONValue) -> String {
        let text = String(decoding: value.serialized, as: UTF8.self)
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }

    /// `2026-11-30T10:00:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset.
    static func isDateTime(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
    }
}
