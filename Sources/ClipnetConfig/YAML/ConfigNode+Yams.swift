import Foundation
import Yams

extension ConfigNode {
    /// Parses one YAML document of `file` into a positioned tree.
    ///
    /// A syntax error or a duplicated key stops the file (Yams reports the first one); keys that
    /// are not scalars are reported and dropped. An empty document is an empty mapping.
    /// - Parameters:
    ///   - text: the file contents.
    ///   - file: the name to put in diagnostics.
    ///   - limits: bounds checked before parsing (size, aliases, nesting) and while converting
    ///     (nodes after alias expansion, depth).
    static func parse(_ text: String, file: String, limits: ManifestLimits = .defaults) -> (node: ConfigNode?, diagnostics: [Diagnostic]) {
        if let refusal = YAMLPrescan.check(text, file: file, limits: limits) {
            return (nil, [refusal])
        }
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return (nil, [diagnostic(for: error, file: file)])
        } catch {
            return (nil, [Diagnostic(.syntax, at: .file(file), "invalid YAML; expected a YAML mapping")])
        }
        guard let composed else {
            return (ConfigNode(kind: .mapping([]), location: SourceLocation(file: file, line: 1, column: 1)), [])
        }
        var diagnostics: [Diagnostic] = []
        var budget = Budget(limits: limits)
        do {
            let node = try convert(composed, file: file, depth: 1, budget: &budget, diagnostics: &diagnostics)
            return (node, diagnostics)
        } catch {
            return (nil, [error.diagnostic])
        }
    }

    /// Nodes converted so far, against the limits; aliases are expanded by Yams, so a bomb shows
    /// here as a node count, stopped at the limit instead of after billions.
    private struct Budget {
        let limits: ManifestLimits
        var nodes = 0

        mutating func spend(_ location: SourceLocation, depth: Int) throws(LimitExceeded) {
            nodes += 1
            if nodes > limits.maximumNodes {
                throw LimitExceeded(
                    diagnostic: Diagnostic(
                        .limit, at: location,
                        "more than \(limits.maximumNodes) nodes once aliases are expanded; the limit is \(limits.maximumNodes)"))
            }
            if depth > limits.maximumDepth {
                throw LimitExceeded(
                    diagnostic: Diagnostic(
                        .limit, at: location, "nested deeper than \(limits.maximumDepth) levels; the limit is \(limits.maximumDepth)"))
            }
        }
    }

    private struct LimitExceeded: Error {
        let diagnostic: Diagnostic
    }

    private static func convert(
        _ node: Node, file: String, depth: Int, budget: inout Budget, diagnostics: inout [Diagnostic]
    ) throws(LimitExceeded) -> ConfigNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        try budget.spend(location, depth: depth)
        switch node {
        case .scalar(let scalar):
            return ConfigNode(kind: .scalar(scalar.string, scalarType(of: node)), location: location)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one cannot reach here.
            return ConfigNode(kind: .scalar("", .null), location: location)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for item in sequence {
                items.append(try convert(item, file: file, depth: depth + 1, budget: &budget, diagnostics: &diagnostics))
            }
            return ConfigNode(kind: .sequence(items), location: location)
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                let keyLocation = SourceLocation(file: file, line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
                guard case .scalar(let keyScalar) = key else {
                    diagnostics.append(Diagnostic(.wrongType, at: keyLocation, "mapping key is not a scalar; expected a plain key such as 'name:'"))
                    continue
                }
                entries.append(
                    Entry(
                        key: keyScalar.string,
                        keyLocation: keyLocation,
                        value: try convert(value, file: file, depth: depth + 1, budget: &budget, diagnostics: &diagnostics)
                    ))
            }
            return ConfigNode(kind: .mapping(entries), location: location)
        }
    }

    private static func scalarType(of node: Node) -> ScalarType {
        switch Resolver.default.resolveTag(of: node) {
        case .str: .string
        case .int: .integer
        case .float: .float
        case .bool: .boolean
        case .null: .null
        case .timestamp: .timestamp
        default: .other
        }
    }

    /// Turns a Yams error into one positioned diagnostic, without Yams' snippet of the file.
    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.joined(separator: " ")
            return Diagnostic(
                .syntax,
                at: SourceLocation(file: file, line: mark.line, column: mark.column),
                "invalid YAML: \(detail)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(
                .duplicateKey,
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "duplicate key \(keys) in one mapping; expected each key once"
            )
        case .reader(let problem, _, _, _):
            return Diagnostic(.syntax, at: .file(file), "invalid YAML: \(problem)")
        default:
            return Diagnostic(.syntax, at: .file(file), "invalid YAML; expected a YAML mapping")
        }
    }
}
