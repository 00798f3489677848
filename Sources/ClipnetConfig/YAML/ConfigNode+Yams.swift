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
    static func parse(_ text: String, file: String) -> (node: ConfigNode?, diagnostics: [Diagnostic]) {
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
        let node = convert(composed, file: file, diagnostics: &diagnostics)
        return (node, diagnostics)
    }

    private static func convert(_ node: Node, file: String, diagnostics: inout [Diagnostic]) -> ConfigNode {
        let location = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node {
        case .scalar(let scalar):
            return ConfigNode(kind: .scalar(scalar.string, scalarType(of: node)), location: location)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one cannot reach here.
            return ConfigNode(kind: .scalar("", .null), location: location)
        case .sequence(let sequence):
            return ConfigNode(
                kind: .sequence(sequence.map { convert($0, file: file, diagnostics: &diagnostics) }),
                location: location
            )
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                let keyLocation = SourceLocation(file: file, line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
                guard case .scalar(let keyScalar) = key else {
                    diagnostics.append(Diagnostic(.wrongType, at: keyLocation, "mapping key is not a scalar; expected a plain key such as 'name:'"))
                    continue
                }
                entries.append(Entry(
                    key: keyScalar.string,
                    keyLocation: keyLocation,
                    value: convert(value, file: file, diagnostics: &diagnostics)
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
