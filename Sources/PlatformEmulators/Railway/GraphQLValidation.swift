import ClipnetJSON
import Foundation

/// Checks a parsed document against `RailwaySchema` before anything runs, with the messages a
/// GraphQL server gives, and projects resolved values onto the requested selections.
enum GraphQLValidation {
    /// One validated root field, ready to resolve.
    struct RootCall: Sendable {
        var field: GraphQLDocument.Field
        var arguments: [String: JSONValue]
        var returnType: String
    }

    static func validate(_ document: GraphQLDocument, variables: [String: JSONValue]) -> Result<[RootCall], GraphQLErrors> {
        var errors: [String] = []
        let rootType = document.operation == .query ? "Query" : "Mutation"
        let roots = document.operation == .query ? RailwaySchema.queries : RailwaySchema.mutations
        let defined = Dictionary(document.variables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for definition in document.variables where definition.isRequired && (variables[definition.name] ?? .null) == .null {
            errors.append("Variable \"$\(definition.name)\" of required type \"\(definition.type)\" was not provided.")
        }
        var effective = variables
        for definition in document.variables where effective[definition.name] == nil {
            if let value = definition.defaultValue?.resolve([:]) { effective[definition.name] = value }
        }
        var calls: [RootCall] = []
        for field in document.selections {
            guard let spec = roots[field.name] else {
                errors.append("Cannot query field \"\(field.name)\" on type \"\(rootType)\".")
                continue
            }
            var arguments: [String: JSONValue] = [:]
            for (name, value) in field.arguments {
                guard let argument = spec.arguments[name] else {
                    errors.append("Unknown argument \"\(name)\" on field \"\(rootType).\(field.name)\".")
                    continue
                }
                for variable in value.variableNames where defined[variable] == nil {
                    errors.append("Variable \"$\(variable)\" is not defined by operation \"\(document.name ?? "anonymous")\".")
                }
                guard let resolved = value.resolve(effective), resolved != .null else {
                    if argument.isRequired {
                        errors.append("Argument \"\(name)\" of non-null type \"\(argument.type)\" must not be null.")
                    }
                    continue
                }
                if let input = argument.inputObject {
                    errors += checkInput(resolved, type: input)
                }
                arguments[name] = resolved
            }
            for (name, argument) in spec.arguments.sorted(by: { $0.key < $1.key })
            where argument.isRequired && !field.arguments.contains(where: { $0.name == name }) {
                errors.append("Field \"\(field.name)\" argument \"\(name)\" of type \"\(argument.type)\" is required, but it was not provided.")
            }
            errors += checkSelection(field.selections, type: spec.returnType, fieldName: field.name)
            calls.append(RootCall(field: field, arguments: arguments, returnType: spec.returnType))
        }
        return errors.isEmpty ? .success(calls) : .failure(GraphQLErrors(messages: errors))
    }

    private static func checkInput(_ value: JSONValue, type: String) -> [String] {
        guard let fields = RailwaySchema.inputObjects[type] else { return [] }
        guard let object = value.objectValue else {
            return ["Expected value of type \"\(type)\", found \(String(decoding: value.serialized, as: UTF8.self))."]
        }
        var errors: [String] = []
        for key in object.keys.sorted() where fields[key] == nil {
            errors.append("Field \"\(key)\" is not defined by type \"\(type)\".")
        }
        for (key, fieldType) in fields.sorted(by: { $0.key < $1.key }) {
            let present = object[key].map { $0 != .null } ?? false
            if fieldType.hasSuffix("!"), !present {
                errors.append("Field \"\(type).\(key)\" of required type \"\(fieldType)\" was not provided.")
            }
            let bare = fieldType.trimmingCharacters(in: CharacterSet(charactersIn: "[]!"))
            if present, RailwaySchema.inputObjects[bare] != nil {
                errors += checkInput(object[key]!, type: bare)
            }
        }
        return errors
    }

    private static func checkSelection(_ selections: [GraphQLDocument.Field]?, type: String, fieldName: String) -> [String] {
        guard let fields = RailwaySchema.objects[type] else {
            if selections != nil {
                return ["Field \"\(fieldName)\" must not have a selection since type \"\(type)\" has no subfields."]
            }
            return []
        }
        guard let selections else {
            return ["Field \"\(fieldName)\" of type \"\(type)\" must have a selection of subfields. Did you mean \"\(fieldName) { ... }\"?"]
        }
        var errors: [String] = []
        for selection in selections where selection.name != "__typename" {
            guard let child = fields[selection.name] else {
                errors.append("Cannot query field \"\(selection.name)\" on type \"\(type)\".")
                continue
            }
            errors += checkSelection(selection.selections, type: child, fieldName: selection.name)
        }
        return errors
    }

    /// The parts of `value` that `selections` ask for (the document was validated).
    static func project(_ value: JSONValue, type: String, selections: [GraphQLDocument.Field]?) -> JSONValue {
        if case .array(let items) = value { return .array(items.map { project($0, type: type, selections: selections) }) }
        guard let selections, let fields = RailwaySchema.objects[type], let object = value.objectValue else { return value }
        var result: [String: JSONValue] = [:]
        for selection in selections {
            if selection.name == "__typename" {
                result[selection.responseKey] = .string(type)
                continue
            }
            result[selection.responseKey] = project(object[selection.name] ?? .null, type: fields[selection.name]!, selections: selection.selections)
        }
        return .object(result)
    }
}

/// GraphQL errors to answer with.
struct GraphQLErrors: Error, Sendable {
    var messages: [String]
    var path: String?
}
