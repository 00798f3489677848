/// The manifest format as data. One description drives the validator, the layering (which
/// mappings merge and which replace) and the JSON Schema in `docs/manifest.schema.json`, so the
/// three cannot drift apart.
indirect enum Shape: Sendable {
    /// A mapping with a fixed set of keys.
    case object(ObjectShape)
    /// A mapping whose keys are names chosen by the author (variables, models, OAuth clients).
    case map(MapShape)
    case string(StringFormat)
    case integer(min: Int, max: Int)
    case boolean
    /// A string that must be one of `values`.
    case enumeration([String])
    /// `{secret: NAME}`: a value resolved at deploy time, never written in the manifest.
    case secretReference
    /// A plain string (any scalar, kept as written) or a secret reference: a service variable.
    case variableValue
    /// A string of `format`, or a secret reference.
    case stringOrSecret(StringFormat)

    /// "expected ..." wording for type errors.
    var expectation: String {
        switch self {
        case .object(let object): "a mapping (\(object.summary))"
        case .map(let map): "a mapping of \(map.keyRule.summary) to \(map.value.expectation)"
        case .string(let format): "a string (\(format.summary))"
        case .integer(let min, let max): "an integer from \(min) to \(max)"
        case .boolean: "true or false"
        case .enumeration(let values): "one of: \(values.joined(separator: ", "))"
        case .secretReference: "a secret reference {secret: NAME}"
        case .variableValue: "a string or a secret reference {secret: NAME}"
        case .stringOrSecret(let format): "a string (\(format.summary)) or a secret reference {secret: NAME}"
        }
    }

    /// Whether layering replaces this value whole instead of merging it key by key.
    var replacesWhole: Bool {
        switch self {
        case .object(let object): object.atomic
        case .map: false
        default: true
        }
    }
}

/// A key of an `ObjectShape`.
struct Field: Sendable {
    let name: String
    let shape: Shape
    let required: Bool
    /// What the value means; used in the JSON Schema and in "missing key" messages.
    let summary: String

    static func required(_ name: String, _ shape: Shape, _ summary: String) -> Field {
        Field(name: name, shape: shape, required: true, summary: summary)
    }

    static func optional(_ name: String, _ shape: Shape, _ summary: String) -> Field {
        Field(name: name, shape: shape, required: false, summary: summary)
    }
}

struct ObjectShape: Sendable {
    /// What the mapping is, for messages and the JSON Schema.
    let summary: String
    let fields: [Field]
    /// Replaced whole by an overlay (a service source is a repo or an image, not a mix of both).
    var atomic = false
    /// Groups of keys of which exactly one must be present.
    var exactlyOneOf: [String] = []

    func field(_ name: String) -> Field? { fields.first { $0.name == name } }
    var fieldNames: [String] { fields.map(\.name) }
}

struct MapShape: Sendable {
    let summary: String
    let keyRule: StringFormat
    let value: Shape
    var minimumCount = 0
}
