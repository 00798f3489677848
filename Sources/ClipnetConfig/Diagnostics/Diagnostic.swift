/// One problem found in a manifest, printed as `file:line:column: message` like a compiler's,
/// so editors and CI annotate the offending line.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of problem this is, so tests and tools need not parse messages.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The text is not YAML.
        public static let syntax = Code(rawValue: "syntax")
        /// A key appears twice in one mapping.
        public static let duplicateKey = Code(rawValue: "duplicate-key")
        /// A key the format does not define.
        public static let unknownKey = Code(rawValue: "unknown-key")
        /// A value of the wrong YAML type (string, integer, mapping...).
        public static let wrongType = Code(rawValue: "wrong-type")
        /// A required key is absent from the layered manifest.
        public static let missingKey = Code(rawValue: "missing-key")
        /// A value of the right type that cannot be right (malformed domain, URL, folder...).
        public static let invalidValue = Code(rawValue: "invalid-value")
        /// Two services claim the same platform service.
        public static let duplicateService = Code(rawValue: "duplicate-service")
        /// A manifest file is absent.
        public static let missingFile = Code(rawValue: "missing-file")
        /// A secret reference has no value in the environment or the secrets file.
        public static let unresolvedSecret = Code(rawValue: "unresolved-secret")
        /// The manifest names a resource of the other environment.
        public static let isolation = Code(rawValue: "isolation")
        /// The file breaks a size, alias, node or depth limit (`ManifestLimits`).
        public static let limit = Code(rawValue: "limit")
        /// The file cannot be read as text (a folder, a device, binary or non-UTF-8 content).
        public static let unreadable = Code(rawValue: "unreadable")
    }

    public let code: Code
    public let location: SourceLocation
    /// Says what is wrong and what was expected; never contains a secret value.
    public let message: String

    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }
}

extension [Diagnostic] {
    /// Diagnostics ordered by file, then position, so output reads top to bottom.
    func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element.location, rhs.element.location)
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
