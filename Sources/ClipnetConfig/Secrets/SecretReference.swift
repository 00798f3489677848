/// `{secret: NAME}` in a manifest: the name of an environment variable (or secrets-file key)
/// that holds the value at deploy time. Only the name is ever stored or printed.
public struct SecretReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public let name: String

    public init(name: String) {
        self.name = name
    }

    /// `{secret: NAME}`, as written in YAML.
    public var description: String { "{secret: \(name)}" }

    private enum CodingKeys: String, CodingKey { case secret }

    public init(from decoder: any Decoder) throws {
        name = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .secret)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .secret)
    }
}
