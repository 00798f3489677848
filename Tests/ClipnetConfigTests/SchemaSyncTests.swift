import Foundation
import Testing

@testable import ClipnetConfig

/// Keeps `docs/manifest.schema.json`, the validator and the typed model in step. Run with
/// `CLIPNET_UPDATE_SCHEMA=1` to rewrite the schema file after changing `ManifestShape`.
@Suite struct SchemaSyncTests {
    static let schemaPath = Fixtures.packageRoot + "/docs/manifest.schema.json"

    @Test func committedSchemaIsTheOneGeneratedFromTheCode() throws {
        let generated = ManifestSchema.jsonData()
        if ProcessInfo.processInfo.environment["CLIPNET_UPDATE_SCHEMA"] == "1" {
            try generated.write(to: URL(fileURLWithPath: Self.schemaPath))
        }
        let committed = try #require(FileManager.default.contents(atPath: Self.schemaPath))
        #expect(committed == generated, "docs/manifest.schema.json is stale: run CLIPNET_UPDATE_SCHEMA=1 swift test --filter ClipnetConfigTests")
    }

    @Test func schemaFileAndValidatorAcceptTheSameKeysRequiredFieldsAndValues() throws {
        let data = try #require(FileManager.default.contents(atPath: Self.schemaPath))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let definitions = try #require(schema["$defs"] as? [String: Any])
        var fromFile: Set<String> = []
        JSONSchemaFacts(definitions: definitions).collect(schema, path: "", into: &fromFile)
        let secretReference = try #require(definitions[ManifestSchema.secretReferenceDefinition] as? [String: Any])
        JSONSchemaFacts(definitions: definitions).collect(secretReference, path: "$defs", into: &fromFile)
        var fromCode: Set<String> = []
        ShapeFacts.collect(ManifestShape.root, path: "", into: &fromCode)
        ShapeFacts.collect(.object(ManifestShape.secretReference), path: "$defs", into: &fromCode)
        #expect(fromFile.subtracting(fromCode).sorted() == [], "in the schema file only")
        #expect(fromCode.subtracting(fromFile).sorted() == [], "in the code only")
        #expect(fromCode.contains("drift.revision: enum heal,report"))
        #expect(fromCode.contains("drift: required alias,autoDeploy,isolation,revision,topology,variables,versionSkew"))
    }

    @Test func typedManifestEncodesOnlyKeysTheShapeAcceptsAndCoversEveryKey() throws {
        var encodedPaths: Set<String> = []
        for environment in ["staging", "production"] {
            let manifest = try ManifestLoader.load(environment: environment, read: Fixtures.shippedFile).manifest
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = String(decoding: try encoder.encode(manifest), as: UTF8.self)
            let node = try #require(ConfigNode.parse(json, file: "encoded").node)
            var validator = ShapeValidator()
            validator.checkStructure(node, ManifestShape.root, path: "")
            validator.checkCompleteness(node, ManifestShape.root, path: "")
            #expect(validator.diagnostics.map(\.description) == [])
            #expect(Manifest(node: node) == manifest, "the encoding decodes back to the same manifest")
            ShapeFacts.paths(of: node, shape: ManifestShape.root, path: "", into: &encodedPaths)
        }
        var shapePaths: Set<String> = []
        ShapeFacts.fieldPaths(ManifestShape.root, path: "", into: &shapePaths)
        #expect(shapePaths.subtracting(encodedPaths).sorted() == [], "keys the typed model never writes")
        #expect(encodedPaths.subtracting(shapePaths).sorted() == [], "keys the shape does not define")
    }
}

/// Facts about a shape, as comparable strings: which keys an object accepts and requires, what
/// each value must be. Map keys are written `*`.
enum ShapeFacts {
    static func collect(_ shape: Shape, path: String, into facts: inout Set<String>) {
        switch shape {
        case .object(let object):
            facts.insert("\(path): keys \(object.fieldNames.sorted().joined(separator: ","))")
            facts.insert("\(path): required \(object.fields.filter(\.required).map(\.name).sorted().joined(separator: ","))")
            if !object.exactlyOneOf.isEmpty {
                facts.insert("\(path): exactly one of \(object.exactlyOneOf.sorted().joined(separator: ","))")
            }
            for field in object.fields {
                collect(field.shape, path: ShapeValidator.join(path, field.name), into: &facts)
            }
        case .map(let map):
            facts.insert("\(path): map keys /\(map.keyRule.regex)/ minimum \(map.minimumCount)")
            collect(map.value, path: ShapeValidator.join(path, "*"), into: &facts)
        case .string(let format):
            facts.insert("\(path): string /\(format.regex)/")
        case .integer(let min, let max):
            facts.insert("\(path): integer \(min)...\(max)")
        case .boolean:
            facts.insert("\(path): boolean")
        case .enumeration(let values):
            facts.insert("\(path): enum \(values.sorted().joined(separator: ","))")
        case .secretReference:
            facts.insert("\(path): secret reference")
        case .variableValue:
            facts.insert("\(path): scalar")
            facts.insert("\(path): secret reference")
        case .stringOrSecret(let format):
            facts.insert("\(path): string /\(format.regex)/")
            facts.insert("\(path): secret reference")
        }
    }

    /// The dotted path of every key the shape defines (map keys as `*`; secret references as
    /// their mapping).
    static func fieldPaths(_ shape: Shape, path: String, into paths: inout Set<String>) {
        switch shape {
        case .object(let object):
            for field in object.fields {
                let child = ShapeValidator.join(path, field.name)
                paths.insert(child)
                fieldPaths(field.shape, path: child, into: &paths)
            }
        case .map(let map):
            paths.insert(ShapeValidator.join(path, "*"))
            fieldPaths(map.value, path: ShapeValidator.join(path, "*"), into: &paths)
        case .secretReference, .variableValue, .stringOrSecret:
            paths.insert(ShapeValidator.join(path, "secret"))
        default:
            break
        }
    }

    /// The dotted path of every key present in `node`, guided by `shape` to write map keys as `*`.
    static func paths(of node: ConfigNode, shape: Shape, path: String, into paths: inout Set<String>) {
        for entry in node.entries ?? [] {
            let childShape: Shape?
            let child: String
            switch shape {
            case .object(let object):
                childShape = object.field(entry.key)?.shape
                child = ShapeValidator.join(path, entry.key)
            case .map(let map):
                childShape = map.value
                child = ShapeValidator.join(path, "*")
            default:
                childShape = .object(ManifestShape.secretReference)
                child = ShapeValidator.join(path, entry.key)
            }
            paths.insert(child)
            if let childShape { self.paths(of: entry.value, shape: childShape, path: child, into: &paths) }
        }
    }
}

/// The same facts read from the JSON Schema document.
struct JSONSchemaFacts {
    let definitions: [String: Any]

    func collect(_ schema: [String: Any], path: String, into facts: inout Set<String>) {
        if let reference = schema["$ref"] as? String {
            if reference == "#/$defs/\(ManifestSchema.secretReferenceDefinition)" {
                facts.insert("\(path): secret reference")
            } else {
                facts.insert("\(path): unknown reference \(reference)")
            }
            return
        }
        if let variants = schema["oneOf"] as? [[String: Any]], schema["type"] == nil {
            for variant in variants { collect(variant, path: path, into: &facts) }
            return
        }
        if let types = schema["type"] as? [String] {
            facts.insert("\(path): " + (types.sorted() == ["boolean", "number", "string"] ? "scalar" : "types \(types)"))
            return
        }
        switch schema["type"] as? String {
        case "object":
            if let properties = schema["properties"] as? [String: [String: Any]] {
                #expect(schema["additionalProperties"] as? Bool == false, "\(path) must be closed")
                facts.insert("\(path): keys \(properties.keys.sorted().joined(separator: ","))")
                facts.insert("\(path): required \(((schema["required"] as? [String]) ?? []).sorted().joined(separator: ","))")
                if let variants = schema["oneOf"] as? [[String: Any]] {
                    let keys = variants.compactMap { ($0["required"] as? [String])?.first }
                    facts.insert("\(path): exactly one of \(keys.sorted().joined(separator: ","))")
                }
                for (key, property) in properties {
                    collect(property, path: ShapeValidator.join(path, key), into: &facts)
                }
            } else {
                let pattern = (schema["propertyNames"] as? [String: Any])?["pattern"] as? String ?? "?"
                facts.insert("\(path): map keys /\(pattern)/ minimum \(schema["minProperties"] as? Int ?? 0)")
                if let value = schema["additionalProperties"] as? [String: Any] {
                    collect(value, path: ShapeValidator.join(path, "*"), into: &facts)
                }
            }
        case "string":
            if let values = schema["enum"] as? [String] {
                facts.insert("\(path): enum \(values.sorted().joined(separator: ","))")
            } else {
                facts.insert("\(path): string /\(schema["pattern"] as? String ?? "")/")
            }
        case "integer":
            facts.insert("\(path): integer \(schema["minimum"] as? Int ?? 0)...\(schema["maximum"] as? Int ?? 0)")
        case "boolean":
            facts.insert("\(path): boolean")
        default:
            facts.insert("\(path): unknown schema")
        }
    }
}
