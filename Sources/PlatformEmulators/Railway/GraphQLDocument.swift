import ClipnetJSON

/// The parsed form of the GraphQL documents the Railway emulator accepts: one query or mutation,
/// with variable definitions, fields, aliases, arguments and nested selections. Fragments,
/// directives and subscriptions are not part of what the clients send, and are rejected.
struct GraphQLDocument: Sendable {
    enum OperationType: String, Sendable { case query, mutation }

    struct VariableDefinition: Sendable {
        var name: String
        /// The type as written, e.g. `String!` or `[DeploymentStatus!]`.
        var type: String
        var defaultValue: GraphQLValue?
        var isRequired: Bool { type.hasSuffix("!") && defaultValue == nil }
    }

    struct Field: Sendable {
        var alias: String?
        var name: String
        var arguments: [(name: String, value: GraphQLValue)]
        var selections: [Field]?
        var responseKey: String { alias ?? name }
    }

    var operation: OperationType
    var name: String?
    var variables: [VariableDefinition]
    var selections: [Field]
}

/// An argument value as written: a literal, or a reference to a variable.
indirect enum GraphQLValue: Sendable, Equatable {
    case variable(String)
    case literal(JSONValue)
    case list([GraphQLValue])
    case object([String: GraphQLValue])

    /// The value with variables substituted; `nil` when it names a variable that was not given.
    func resolve(_ variables: [String: JSONValue]) -> JSONValue? {
        switch self {
        case .variable(let name): return variables[name]
        case .literal(let value): return value
        case .list(let items): return .array(items.map { $0.resolve(variables) ?? .null })
        case .object(let fields):
            var object: [String: JSONValue] = [:]
            for (key, value) in fields { if let resolved = value.resolve(variables) { object[key] = resolved } }
            return .object(object)
        }
    }

    /// Variable names this value refers to.
    var variableNames: [String] {
        switch self {
        case .variable(let name): return [name]
        case .literal: return []
        case .list(let items): return items.flatMap(\.variableNames)
        case .object(let fields): return fields.values.flatMap(\.variableNames)
        }
    }
}

/// A syntax error, reported the way GraphQL servers word them.
struct GraphQLSyntaxError: Error, Sendable {
    let message: String
}
