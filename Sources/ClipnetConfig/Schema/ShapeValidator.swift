/// Checks a YAML tree against a `Shape` and collects every problem, not just the first.
///
/// Validation runs in two passes because of layering: `checkStructure` runs on each file alone
/// (unknown keys, types, formats: the position is exact and an overlay may legitimately omit
/// keys), and `checkCompleteness` runs on the layered tree (required keys, minimum counts).
/// Values replaced whole by layering (a service source, a secret reference) are complete in the
/// file that writes them, so the structure pass checks them fully.
struct ShapeValidator {
    private(set) var diagnostics: [Diagnostic] = []

    /// Unknown keys, wrong types and impossible values of one file.
    mutating func checkStructure(_ node: ConfigNode, _ shape: Shape, path: String) {
        switch shape {
        case .object(let object):
            guard let entries = node.entries else { return wrongType(node, shape, path) }
            for entry in entries {
                guard let field = object.field(entry.key) else {
                    let known = object.fieldNames.joined(separator: ", ")
                    report(
                        .unknownKey, entry.keyLocation,
                        "unknown key '\(entry.key)' in \(Self.name(of: path)); expected one of: \(known)")
                    continue
                }
                checkStructure(entry.value, field.shape, path: Self.join(path, entry.key))
            }
            if object.atomic { checkCompleteness(node, shape, path: path) }
        case .map(let map):
            guard let entries = node.entries else { return wrongType(node, shape, path) }
            for entry in entries {
                if !map.keyRule.matches(entry.key) {
                    report(
                        .invalidValue, entry.keyLocation,
                        "invalid key '\(entry.key)' in \(Self.name(of: path)); expected \(map.keyRule.summary)")
                }
                checkStructure(entry.value, map.value, path: Self.join(path, entry.key))
            }
        case .string(let format):
            guard let text = node.string else { return wrongType(node, shape, path) }
            if let problem = format.problem(with: text) { report(.invalidValue, node.location, "\(path): \(problem)") }
        case .integer(let min, let max):
            let expected = min == max ? "\(min)" : "an integer from \(min) to \(max)"
            guard let value = node.int else {
                guard node.scalarType == .integer, let text = node.scalarText else { return wrongType(node, shape, path) }
                // An integer YAML cannot hand over as a number: too large, or base 60 (`1:30`).
                return report(
                    .invalidValue, node.location,
                    "\(path): \(StringFormat.bounded(text)) is out of range or not a plain integer; expected \(expected)")
            }
            if value < min || value > max {
                let written = node.scalarText.map { $0 == "\(value)" ? $0 : "\($0) (\(value))" } ?? "\(value)"
                report(.invalidValue, node.location, "\(path): \(written) is out of range; expected \(expected)")
            }
        case .boolean:
            if node.bool == nil { wrongType(node, shape, path) }
        case .enumeration(let values):
            guard let text = node.string else { return wrongType(node, shape, path) }
            if !values.contains(text) {
                report(
                    .invalidValue, node.location,
                    "\(path): '\(text)' is not allowed; expected one of: \(values.joined(separator: ", "))")
            }
        case .secretReference:
            guard node.entries != nil else { return wrongType(node, shape, path) }
            checkStructure(node, .object(ManifestShape.secretReference), path: path)
        case .variableValue:
            if node.entries != nil {
                checkStructure(node, .object(ManifestShape.secretReference), path: path)
            } else if node.scalarText == nil || node.scalarType == .null {
                wrongType(node, shape, path)
            }
        case .stringOrSecret(let format):
            if node.entries != nil {
                checkStructure(node, .object(ManifestShape.secretReference), path: path)
            } else if node.string != nil {
                checkStructure(node, .string(format), path: path)
            } else {
                wrongType(node, shape, path)
            }
        }
    }

    /// Required keys and minimum counts of the layered tree. Subtrees of the wrong type were
    /// reported by `checkStructure` and are skipped here.
    mutating func checkCompleteness(_ node: ConfigNode, _ shape: Shape, path: String) {
        switch shape {
        case .object(let object):
            guard let entries = node.entries else { return }
            for field in object.fields where field.required && node[field.name] == nil {
                report(
                    .missingKey, node.location,
                    "\(Self.name(of: path)): missing required key '\(field.name)' (\(field.summary)); expected \(field.shape.expectation)")
            }
            if !object.exactlyOneOf.isEmpty {
                let present = object.exactlyOneOf.filter { node[$0] != nil }
                if present.count != 1 {
                    let choices = object.exactlyOneOf.map { "'\($0)'" }.joined(separator: " or ")
                    report(
                        present.isEmpty ? .missingKey : .invalidValue, node.location,
                        "\(Self.name(of: path)): expected exactly one of \(choices), found \(present.isEmpty ? "neither" : "both")")
                }
            }
            for entry in entries {
                guard let field = object.field(entry.key), !field.shape.replacesWhole else { continue }
                checkCompleteness(entry.value, field.shape, path: Self.join(path, entry.key))
            }
        case .map(let map):
            guard let entries = node.entries else { return }
            if entries.count < map.minimumCount {
                report(
                    .missingKey, node.location,
                    "\(Self.name(of: path)): expected at least \(map.minimumCount) entry (\(map.summary))")
            }
            for entry in entries {
                checkCompleteness(entry.value, map.value, path: Self.join(path, entry.key))
            }
        default:
            return
        }
    }

    private mutating func wrongType(_ node: ConfigNode, _ shape: Shape, _ path: String) {
        var found = node.phrase
        // Numbers, booleans and timestamps are echoed (they hold no secret); strings are not.
        if let type = node.scalarType, type != .string, type != .null, let text = node.scalarText {
            found += " (\(StringFormat.bounded(text)))"
        }
        var message = "\(Self.name(of: path)): expected \(shape.expectation), found \(found)"
        if node.scalarType != nil, node.scalarType != .string, node.scalarType != .null, expectsString(shape) {
            message += "; quote the value to make it a string"
        }
        report(.wrongType, node.location, message)
    }

    private func expectsString(_ shape: Shape) -> Bool {
        switch shape {
        case .string, .enumeration, .stringOrSecret: true
        default: false
        }
    }

    private mutating func report(_ code: Diagnostic.Code, _ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(code, at: location, message))
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The path as used in messages; the root is "the manifest".
    static func name(of path: String) -> String {
        path.isEmpty ? "the manifest" : path
    }
}
