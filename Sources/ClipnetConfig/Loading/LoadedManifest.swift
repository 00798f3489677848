/// A validated, layered manifest together with where each of its values was written, so later
/// checks (secrets, isolation) can still point at a file, line and column.
public struct LoadedManifest: Sendable {
    public let manifest: Manifest
    /// The files layered, base first.
    public let files: [String]
    private let locations: [String: SourceLocation]

    init(manifest: Manifest, files: [String], root: ConfigNode) {
        self.manifest = manifest
        self.files = files
        var locations: [String: SourceLocation] = [:]
        Self.collect(root, path: "", into: &locations)
        self.locations = locations
    }

    public var environment: String { manifest.environment }

    /// Where the value at a dotted path (`railway.redis.url`) was written.
    public func location(of path: String) -> SourceLocation? {
        locations[path]
    }

    private static func collect(_ node: ConfigNode, path: String, into locations: inout [String: SourceLocation]) {
        locations[path] = node.location
        for entry in node.entries ?? [] {
            collect(entry.value, path: ShapeValidator.join(path, entry.key), into: &locations)
        }
    }
}

/// The outcome of loading without throwing: the manifest when it is valid, and every diagnostic.
public struct ManifestEvaluation: Sendable {
    public let manifest: LoadedManifest?
    public let diagnostics: [Diagnostic]
}
