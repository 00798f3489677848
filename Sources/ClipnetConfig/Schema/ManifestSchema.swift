import ClipnetContracts
public import Foundation

/// The JSON Schema (draft 2020-12) of the layered manifest, generated from `ManifestShape`.
/// `docs/manifest.schema.json` holds its output; a test fails when the two differ, and
/// `CLIPNET_UPDATE_SCHEMA=1 swift test --filter ClipnetConfigTests` rewrites the file.
///
/// It describes the layered result: `required` applies after `deploy/base.yaml` and the
/// environment file are merged, so a single overlay file need not satisfy it alone. Checks that
/// span several values (environment matches the file name, distinct service ids, the folder
/// convention, isolation) are beyond JSON Schema and only `reconciler validate` makes them.
public enum ManifestSchema {
    public static let id = "https://clipnet.ai/schemas/manifest.schema.json"
    static let secretReferenceDefinition = "secretRef"

    /// The schema as pretty-printed JSON with sorted keys and a final newline.
    public static func jsonData() -> Data {
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // The document is built from strings, numbers, booleans, arrays and dictionaries only.
        let data = (try? JSONSerialization.data(withJSONObject: document(), options: options)) ?? Data()
        return data + Data("\n".utf8)
    }

    static func document() -> [String: Any] {
        var root = schema(for: ManifestShape.root)
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = id
        root["title"] = "CLIPNET environment manifest"
        root["description"] =
            "deploy/base.yaml layered with deploy/<environment>.yaml (mappings merge by key; "
            + "lists, scalars, sources and secret references replace). Required keys apply to the layered result. "
            + "See docs/configuration.md."
        root["$defs"] = [secretReferenceDefinition: schema(for: .object(ManifestShape.secretReference))]
        return root
    }

    static func schema(for shape: Shape) -> [String: Any] {
        switch shape {
        case .object(let object):
            var properties: [String: Any] = [:]
            for field in object.fields {
                var property = schema(for: field.shape)
                property["description"] = field.summary
                properties[field.name] = property
            }
            var result: [String: Any] = [
                "type": "object",
                "description": object.summary,
                "properties": properties,
                "additionalProperties": false,
            ]
            let required = object.fields.filter(\.required).map(\.name)
            if !required.isEmpty { result["required"] = required }
            if !object.exactlyOneOf.isEmpty {
                result["oneOf"] = object.exactlyOneOf.map { ["required": [$0]] }
            }
            return result
        case .map(let map):
            var result: [String: Any] = [
                "type": "object",
                "description": map.summary,
                "propertyNames": ["pattern": map.keyRule.regex],
                "additionalProperties": schema(for: map.value),
            ]
            if map.minimumCount > 0 { result["minProperties"] = map.minimumCount }
            return result
        case .string(let format):
            return stringSchema(format)
        case .integer(let min, let max):
            return ["type": "integer", "minimum": min, "maximum": max]
        case .boolean:
            return ["type": "boolean"]
        case .enumeration(let values):
            return ["type": "string", "enum": values]
        case .secretReference:
            return secretReference()
        case .variableValue:
            return ["oneOf": [["type": ["string", "number", "boolean"]], secretReference()]]
        case .stringOrSecret(let format):
            return ["oneOf": [stringSchema(format), secretReference()]]
        }
    }

    private static func stringSchema(_ format: StringFormat) -> [String: Any] {
        var result: [String: Any] = ["type": "string", "pattern": format.regex]
        switch format {
        case .domain: result["format"] = "hostname"
        case .url: result["format"] = "uri"
        default: break
        }
        return result
    }

    private static func secretReference() -> [String: Any] {
        ["$ref": "#/$defs/\(secretReferenceDefinition)"]
    }
}
