/// A value as written in a manifest: plain text, or a reference to a secret that is resolved at
/// deploy time. The manifest never holds a secret's value, so both cases are safe to print.
public enum ConfigValue: Sendable, Hashable, Encodable, CustomStringConvertible {
    case plain(String)
    case secret(SecretReference)

    /// The secret reference, if this is one.
    public var secretReference: SecretReference? {
        if case .secret(let reference) = self { return reference }
        return nil
    }

    public var description: String {
        switch self {
        case .plain(let text): text
        case .secret(let reference): reference.description
        }
    }

    /// A plain value encodes as a string, a reference as `{"secret": NAME}`, as in YAML.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .plain(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .secret(let reference):
            try reference.encode(to: encoder)
        }
    }
}
