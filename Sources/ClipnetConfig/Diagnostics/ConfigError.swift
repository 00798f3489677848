/// The one error type of this module: a code to branch on, a message for people, and the
/// positioned diagnostics behind it. Messages and diagnostics never contain a secret value.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The manifests do not parse, layer or validate; see `diagnostics`.
        public static let invalidManifest = Code(rawValue: "invalid-manifest")
        /// The environment name cannot name a manifest file.
        public static let invalidEnvironment = Code(rawValue: "invalid-environment")
        /// Secret references without a value; the message names every one of them.
        public static let unresolvedSecrets = Code(rawValue: "unresolved-secrets")
        /// The secrets file is readable (or writable) by group or others, or is not a regular file.
        public static let insecureSecretsFile = Code(rawValue: "insecure-secrets-file")
        /// The secrets file cannot be read or parsed.
        public static let invalidSecretsFile = Code(rawValue: "invalid-secrets-file")
        /// A staging setting names a production resource (or the other way round).
        public static let isolationViolation = Code(rawValue: "isolation-violation")
        /// A fingerprints document cannot be read or decoded.
        public static let invalidFingerprints = Code(rawValue: "invalid-fingerprints")
    }

    public let code: Code
    public let message: String
    public let diagnostics: [Diagnostic]

    public init(_ code: Code, _ message: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.message = message
        self.diagnostics = diagnostics
    }

    /// The message, then one `file:line:column: message` line per diagnostic.
    public var description: String {
        ([message] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}
