import ClipnetJSON
import Yams

/// A YAML file as a JSON value, with YAML's own scalar typing (`200` is a number, `'200'` and
/// `"200"` are strings, timestamps stay strings), so an OpenAPI document reads as its JSON form.
enum YAMLDocument {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { throw Failure(description: "the YAML document is empty") }
        return try convert(node)
    }

    private static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .int, .float:
                guard let number = node.float ?? node.int.map(Double.init) else { return .string(scalar.string) }
                return .number(number)
            case .bool: return .bool(node.bool ?? false)
            case .null: return .null
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else { throw Failure(description: "a mapping key is not a scalar") }
                guard object[keyScalar.string] == nil else { throw Failure(description: "duplicate key '\(keyScalar.string)'") }
                object[keyScalar.string] = try convert(value)
            }
            return .object(object)
        case .alias:
            throw Failure(description: "unresolved alias")
        }
    }
}
