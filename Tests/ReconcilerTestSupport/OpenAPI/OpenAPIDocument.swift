public import ClipnetJSON
import Foundation

/// An OpenAPI 3.1 document, to check a server's real answers against: for a method, a path and a
/// status, is the status documented, is the content type one the document lists, and does the
/// body match the schema.
public struct OpenAPIDocument: Sendable {
    public let root: JSONValue
    public var checker: SchemaChecker { SchemaChecker(root: root) }

    public init(yaml: String) throws {
        root = try YAMLDocument.parse(yaml)
    }

    public init(contentsOfFile path: String) throws {
        try self.init(yaml: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Every (method, path) the document describes, methods upper-case.
    public var operations: [(method: String, path: String)] {
        let methods = ["get", "put", "post", "delete", "patch", "head", "options"]
        return (root["paths"]?.objectValue ?? [:]).flatMap { path, item in
            methods.filter { item[$0] != nil }.map { (method: $0.uppercased(), path: path) }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// Why an answer does not conform, each problem a line; empty when it does.
    /// - Parameters:
    ///   - contentType: the answer's `Content-Type` header (parameters such as charset are ignored).
    ///   - body: the answer's bytes.
    public func problems(method: String, path: String, status: Int, contentType: String?, body: [UInt8]) -> [String] {
        let where_ = "\(method.uppercased()) \(path) → \(status)"
        guard let operation = root["paths"]?[path]?[method.lowercased()] else {
            return ["\(where_): the document has no such operation"]
        }
        guard let responses = operation["responses"] else { return ["\(where_): the operation lists no responses"] }
        guard var response = responses[String(status)] ?? responses["\(status / 100)XX"] ?? responses["default"] else {
            return ["\(where_): status \(status) is not documented"]
        }
        if let reference = response["$ref"]?.stringValue {
            guard let target = checker.resolve(reference) else { return ["\(where_): unresolvable \(reference)"] }
            response = target
        }
        guard let content = response["content"]?.objectValue, !content.isEmpty else {
            return body.isEmpty ? [] : ["\(where_): the document describes no body, the server sent \(body.count) bytes"]
        }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard let media = content[mediaType] else {
            return ["\(where_): content type '\(mediaType)' is not one of \(content.keys.sorted().joined(separator: ", "))"]
        }
        guard let schema = media["schema"] else { return [] }
        if mediaType.hasSuffix("json") {
            guard let value = JSONValue.parse(body) else { return ["\(where_): the body is not JSON"] }
            return checker.problems(value, against: schema, at: "body").map { "\(where_): \($0)" }
        }
        return checker.problems(.string(String(decoding: body, as: UTF8.self)), against: schema, at: "body").map { "\(where_): \($0)" }
    }
}
