public import ClipnetContracts

/// One difference between what should run and what runs. `detail` never holds a secret value:
/// variables are named, never shown.
public struct Drift: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let kind: DriftKind
    /// The service it concerns (`frontend`, `api`, `worker`, or a platform service name), if any.
    public let service: String?
    public let detail: String
    /// Whether re-applying the desired state can remove it. An extra variable nobody declared
    /// cannot be "healed" by re-applying the manifest (and deleting what this tool does not own
    /// would be worse): it is reported whatever the policy, never rewritten every pass.
    public let healable: Bool

    public init(kind: DriftKind, service: String?, detail: String, healable: Bool = true) {
        self.kind = kind
        self.service = service
        self.detail = detail
        self.healable = healable
    }

    private enum CodingKeys: String, CodingKey { case kind, service, detail, healable }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(DriftKind.self, forKey: .kind)
        service = try container.decodeIfPresent(String.self, forKey: .service)
        detail = try container.decode(String.self, forKey: .detail)
        healable = try container.decodeIfPresent(Bool.self, forKey: .healable) ?? true
    }

    public var description: String {
        "\(kind.rawValue)\(service.map { "[\($0)]" } ?? ""): \(detail)"
    }
}
