public import Foundation

/// SHA-256 fingerprints of one environment's identifiers: the deny list of the other environment,
/// in a form that can be handed to it without handing over the values. The staging worker gets
/// production's as the `CLIPNET_PRODUCTION_FINGERPRINTS` variable (JSON) or a file named by
/// `CLIPNET_PRODUCTION_FINGERPRINTS_FILE`.
///
/// JSON: `{"format": "clipnet.isolation-fingerprints/v1", "environment": "production",
/// "entries": [{"resource": "redis", "fingerprint": "sha256:<64 hex>"}, ...]}`.
public struct IsolationFingerprints: Sendable, Hashable, Codable {
    public static let currentFormat = "clipnet.isolation-fingerprints/v1"
    /// The variable carrying production's fingerprints as JSON to the staging worker.
    public static let environmentVariable = "CLIPNET_PRODUCTION_FINGERPRINTS"
    /// The variable naming a file with production's fingerprints, as an alternative.
    public static let fileEnvironmentVariable = "CLIPNET_PRODUCTION_FINGERPRINTS_FILE"

    public struct Entry: Sendable, Hashable, Codable, Comparable {
        public let resource: IsolationResource
        /// `sha256:<hex>` of a normalised identity or of a raw value.
        public let fingerprint: String

        public init(resource: IsolationResource, fingerprint: String) {
            self.resource = resource
            self.fingerprint = fingerprint
        }

        public static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.resource, lhs.fingerprint) < (rhs.resource, rhs.fingerprint)
        }
    }

    public let format: String
    /// The environment that owns these identifiers.
    public let environment: String
    /// Sorted and without duplicates.
    public let entries: [Entry]

    public init(environment: String, entries: [Entry]) {
        format = Self.currentFormat
        self.environment = environment
        self.entries = Array(Set(entries)).sorted()
    }

    /// The fingerprints of a manifest's identifiers. Identifiers held in secrets are included only
    /// when `secrets` has their values; plain ones (folder, namespace, models, API URL, domain,
    /// a plain client id) always are.
    ///
    /// With a `resolver`, the identities of the addresses each host name resolves to are
    /// recorded too (when the document is written), so the other environment can tell a
    /// different name for the same server without seeing the name. Write the document again
    /// when the addresses change.
    public init(of loaded: LoadedManifest, secrets: [String: SecretValue] = [:], resolver: HostResolver = .none) {
        let manifest = loaded.manifest
        var entries: [Entry] = []
        func add(_ value: ConfigValue, as resource: IsolationResource) {
            let text: String
            switch value {
            case .plain(let plain): text = plain
            case .secret(let reference):
                guard let secret = secrets[reference.name] else { return }
                text = secret.reveal()
            }
            guard !text.isEmpty else { return }
            let identities = IsolationKeys.identities(of: text, as: resource, resolver: resolver)
            if identities == nil, [.redis, .postgres, .apiUrl].contains(resource) { return }
            entries.append(Entry(resource: resource, fingerprint: Fingerprint.of(text)))
            for identity in identities ?? [] { entries.append(Entry(resource: resource, fingerprint: Fingerprint.of(identity))) }
        }
        add(.secret(manifest.railway.redis.url), as: .redis)
        add(.secret(manifest.railway.postgres.url), as: .postgres)
        for client in manifest.oauth.values {
            add(client.clientId, as: .oauthClientId)
            add(.secret(client.clientSecret), as: .oauthClientSecret)
        }
        let api = manifest.railway.services.api
        for url in [api.url, api.healthUrl, api.versionUrl] { add(.plain(url), as: .apiUrl) }
        add(.plain(manifest.cloudinary.folder), as: .cloudinaryFolder)
        add(.plain(manifest.runpod.namespace), as: .runpodNamespace)
        for path in manifest.runpod.models.values { add(.plain(path), as: .runpodModelPath) }
        add(.plain(manifest.frontend.domain), as: .frontendDomain)
        // Every Redis or PostgreSQL URL the environment's services use is its own.
        let allVariables = [manifest.frontend.variables, api.variables, manifest.railway.services.worker.variables]
        for value in allVariables.flatMap(\.values) {
            add(value, as: .redis)
            add(value, as: .postgres)
        }
        self.init(environment: loaded.environment, entries: entries)
    }

    /// The fingerprints of a fully resolved manifest.
    public init(of resolved: ResolvedManifest, resolver: HostResolver = .none) {
        self.init(of: resolved.loaded, secrets: resolved.secrets, resolver: resolver)
    }

    /// The union with another document of the same environment.
    public func merging(_ other: IsolationFingerprints) -> IsolationFingerprints {
        IsolationFingerprints(environment: environment, entries: entries + other.entries)
    }

    /// Every fingerprint of the document, for a detector that only intersects sets
    /// (DriftDetector's `DesiredEnvironment.productionFingerprints`).
    public var fingerprintSet: Set<String> { Set(entries.map(\.fingerprint)) }

    /// The fingerprints a value is matched by: of its raw text and of every normalised identity
    /// it can have (endpoint, folder and parent folders, namespace, model path, domain, client
    /// id). A value names a resource of this document exactly when this set meets
    /// `fingerprintSet`; DriftDetector's `ObservedVariable.identifierFingerprints` takes it.
    public static func identifierFingerprints(of value: String) -> Set<String> {
        IsolationKeys.candidateFingerprints(of: value)
    }

    /// The resources at least one entry covers.
    public var resources: Set<IsolationResource> { Set(entries.map(\.resource)) }

    /// The first resource (in `IsolationResource` order) with one of `fingerprints`.
    func resource(matchingAny fingerprints: Set<String>) -> IsolationResource? {
        entries.filter { fingerprints.contains($0.fingerprint) }.map(\.resource).min()
    }

    /// Pretty, key-sorted JSON: stable enough to commit or diff.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and enums cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Compact JSON, for an environment variable.
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? ""
    }

    /// Decodes and checks a document.
    /// - Throws: `ConfigError` `.invalidFingerprints` naming `source` (never its contents).
    public static func decode(_ data: Data, source: String) throws -> IsolationFingerprints {
        let document: IsolationFingerprints
        do {
            document = try JSONDecoder().decode(IsolationFingerprints.self, from: data)
        } catch {
            throw ConfigError(
                .invalidFingerprints,
                "\(source) is not an isolation fingerprints document; "
                    + "expected JSON {format, environment, entries: [{resource, fingerprint}]}"
            )
        }
        guard document.format == currentFormat else {
            throw ConfigError(.invalidFingerprints, "\(source) has format '\(document.format)'; expected '\(currentFormat)'")
        }
        if let bad = document.entries.firstIndex(where: { !Fingerprint.isWellFormed($0.fingerprint) }) {
            throw ConfigError(.invalidFingerprints, "\(source): entry \(bad) is not a fingerprint; expected sha256: and 64 lowercase hex digits")
        }
        return IsolationFingerprints(environment: document.environment, entries: document.entries)
    }

    /// Reads a document from a file.
    public static func load(path: String) throws -> IsolationFingerprints {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(
                .invalidFingerprints,
                "cannot read fingerprints file \(path); write it where production's secrets are: "
                    + "reconciler validate --environment production --secrets-file <production secrets> --write-fingerprints \(path)")
        }
        return try decode(data, source: path)
    }

    /// Production's fingerprints as the worker receives them (or `other`'s: a production daemon
    /// reads staging's from `CLIPNET_STAGING_FINGERPRINTS`): the JSON in
    /// `CLIPNET_PRODUCTION_FINGERPRINTS`, else the file named by `CLIPNET_PRODUCTION_FINGERPRINTS_FILE`,
    /// else nil.
    public static func fromEnvironment(
        _ environment: [String: String], of other: String = EnvironmentConventions.production
    ) throws
        -> IsolationFingerprints?
    {
        let variable = other == EnvironmentConventions.production ? environmentVariable : "CLIPNET_\(other.uppercased())_FINGERPRINTS"
        if let json = environment[variable], !json.isEmpty {
            return try decode(Data(json.utf8), source: variable)
        }
        if let path = environment[variable + "_FILE"], !path.isEmpty {
            return try load(path: path)
        }
        return nil
    }
}
