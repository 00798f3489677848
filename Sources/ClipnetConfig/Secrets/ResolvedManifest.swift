/// A manifest whose secret references all have values: what the reconciler deploys from after
/// preflight. Values stay wrapped in `SecretValue`, so printing any of this reveals nothing.
public struct ResolvedManifest: Sendable {
    public let loaded: LoadedManifest
    /// Secret values by reference name.
    public let secrets: [String: SecretValue]

    public init(loaded: LoadedManifest, secrets: [String: SecretValue]) {
        self.loaded = loaded
        self.secrets = secrets
    }

    public var manifest: Manifest { loaded.manifest }
    public var environment: String { loaded.environment }

    /// The value of a manifest value: plain text as written, or the resolved secret.
    public func resolve(_ value: ConfigValue) -> ResolvedValue? {
        switch value {
        case .plain(let text): .plain(text)
        case .secret(let reference): secrets[reference.name].map(ResolvedValue.secret)
        }
    }

    /// A service's variables with secrets resolved, for syncing to the platform.
    public func variables(of service: ManifestService) -> [String: ResolvedValue] {
        let declared: [String: ConfigValue] =
            switch service {
            case .frontend: manifest.frontend.variables
            case .api: manifest.railway.services.api.variables
            case .worker: manifest.railway.services.worker.variables
            }
        return declared.compactMapValues(resolve)
    }
}

/// The services that carry variables.
public enum ManifestService: String, Sendable, Hashable, CaseIterable, Codable {
    case frontend, api, worker
}

/// A value ready to send to a platform. Printing it shows plain text, or `<redacted:NAME>`.
public enum ResolvedValue: Sendable, Hashable, Encodable, CustomStringConvertible {
    case plain(String)
    case secret(SecretValue)

    /// The clear text, for the platform API only; never log it.
    public func reveal() -> String {
        switch self {
        case .plain(let text): text
        case .secret(let secret): secret.reveal()
        }
    }

    /// `sha256:<hex>` of the clear text: what drift compares against live values.
    public var fingerprint: String {
        switch self {
        case .plain(let text): Fingerprint.of(text)
        case .secret(let secret): secret.fingerprint
        }
    }

    public var description: String {
        switch self {
        case .plain(let text): text
        case .secret(let secret): secret.description
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .plain(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .secret(let secret):
            try secret.encode(to: encoder)
        }
    }
}
