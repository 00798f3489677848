import Foundation

/// Reads `<directory>/base.yaml` and `<directory>/<environment>.yaml` through a caller-supplied
/// reader, layers and validates them. The reader is a closure because the reconciler reads the
/// manifests from git at the revision being deployed, so a configuration change ships with the
/// commit that makes it; `loadFromDisk` is the convenience for a checked-out directory.
public enum ManifestLoader {
    public static let defaultDirectory = "deploy"

    /// `deploy/base.yaml`: the shared defaults. Optional.
    public static func baseFile(in directory: String = defaultDirectory) -> String {
        join(directory, "base.yaml")
    }

    /// `deploy/<environment>.yaml`: what differs. Required.
    public static func environmentFile(_ environment: String, in directory: String = defaultDirectory) -> String {
        join(directory, "\(environment).yaml")
    }

    /// Loads and validates one environment's manifest.
    /// - Parameters:
    ///   - environment: `staging` or `production` (any lowercase name naming a file).
    ///   - directory: the manifest directory inside the repository.
    ///   - read: returns the text of a path relative to the repository root, or nil if absent.
    /// - Throws: `ConfigError` `.invalidManifest` with every diagnostic, or `.invalidEnvironment`.
    ///   - limits: bounds on each file (size, aliases, nodes, depth); a file over one is refused
    ///     with a diagnostic naming it. Parsing is synchronous and bounded by these.
    public static func load(
        environment: String,
        directory: String = defaultDirectory,
        limits: ManifestLimits = .defaults,
        read: (String) throws -> String?
    ) throws -> LoadedManifest {
        try checkName(environment)
        let evaluation = try evaluate(environment: environment, directory: directory, limits: limits, read: read)
        guard let manifest = evaluation.manifest, evaluation.diagnostics.isEmpty else {
            let count = evaluation.diagnostics.count
            throw ConfigError(
                .invalidManifest,
                "the \(environment) manifest is invalid (\(count) problem\(count == 1 ? "" : "s"))",
                diagnostics: evaluation.diagnostics
            )
        }
        return manifest
    }

    /// Loads from a directory on disk; diagnostics name files as `<directory>/<name>.yaml`.
    public static func loadFromDisk(environment: String, directory: String) throws -> LoadedManifest {
        try load(environment: environment, directory: directory, read: readFile)
    }

    /// Loads and validates without throwing for manifest problems, returning every diagnostic;
    /// what `reconciler validate` uses. Throws only when `read` throws or the name is invalid.
    public static func evaluate(
        environment: String,
        directory: String = defaultDirectory,
        limits: ManifestLimits = .defaults,
        read: (String) throws -> String?
    ) throws -> ManifestEvaluation {
        try checkName(environment)
        let baseName = baseFile(in: directory)
        let environmentName = environmentFile(environment, in: directory)
        var diagnostics: [Diagnostic] = []
        var validator = ShapeValidator()
        var layers: [(file: String, node: ConfigNode)] = []
        var presentFiles = 0

        for (file, required) in [(baseName, false), (environmentName, true)] {
            guard let text = try read(file) else {
                if required {
                    diagnostics.append(
                        Diagnostic(
                            .missingFile, at: .file(file),
                            "no manifest for environment '\(environment)'; expected this file"))
                }
                continue
            }
            presentFiles += 1
            let parsed = ConfigNode.parse(text, file: file, limits: limits)
            diagnostics += parsed.diagnostics
            guard let node = parsed.node else { continue }
            validator.checkStructure(node, ManifestShape.root, path: "")
            layers.append((file, node))
        }
        // Layer only when every present file parsed and the environment's own file is there.
        let complete = layers.count == presentFiles && layers.last?.file == environmentName
        guard complete, var root = layers.first?.node else {
            return ManifestEvaluation(manifest: nil, diagnostics: (diagnostics + validator.diagnostics).sortedByLocation())
        }
        if environment == EnvironmentConventions.production, layers.count > 1 {
            root = ProductionDrift.reportingOnly(root)
        }
        for layer in layers.dropFirst() {
            root = Layering.merge(root, layer.node, shape: ManifestShape.root)
        }
        validator.checkCompleteness(root, ManifestShape.root, path: "")
        diagnostics += validator.diagnostics
        diagnostics += SemanticChecks.run(root, environment: environment, file: environmentName)
        diagnostics = diagnostics.sortedByLocation()

        guard diagnostics.isEmpty, let manifest = Manifest(node: root) else {
            return ManifestEvaluation(manifest: nil, diagnostics: diagnostics)
        }
        return ManifestEvaluation(
            manifest: LoadedManifest(manifest: manifest, files: layers.map(\.file), root: root),
            diagnostics: []
        )
    }

    /// Reads a file, or nil if there is none; a file that cannot be read as bounded UTF-8 text
    /// (a folder, a device, a link loop, binary data, too large) is thrown as `ConfigError` saying
    /// which (`ManifestFile`).
    public static func readFile(_ path: String) throws -> String? {
        try ManifestFile.read(path)
    }

    static func checkName(_ environment: String) throws {
        guard StringFormat.environmentName.matches(environment) else {
            throw ConfigError(
                .invalidEnvironment,
                "'\(environment)' is not an environment name; expected \(StringFormat.environmentName.summary)")
        }
    }

    private static func join(_ directory: String, _ name: String) -> String {
        var directory = directory
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        return directory.isEmpty || directory == "." ? name : "\(directory)/\(name)"
    }
}
