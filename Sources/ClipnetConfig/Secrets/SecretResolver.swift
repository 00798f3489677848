/// Resolves every secret reference of a manifest, or fails naming every missing one, so a
/// rollout stops before any platform is touched rather than halfway through.
public enum SecretResolver {
    /// - Throws: `ConfigError` `.unresolvedSecrets`; its message lists every missing name and each
    ///   diagnostic points at a reference. Names only: there is no value to print.
    public static func resolve(_ loaded: LoadedManifest, from store: SecretStore) throws -> ResolvedManifest {
        var secrets: [String: SecretValue] = [:]
        var missing: [String] = []
        var diagnostics: [Diagnostic] = []
        for (path, reference) in loaded.manifest.secretReferences {
            if secrets[reference.name] != nil { continue }
            if let value = store.value(for: reference.name) {
                secrets[reference.name] = value
                continue
            }
            if !missing.contains(reference.name) { missing.append(reference.name) }
            diagnostics.append(
                Diagnostic(
                    .unresolvedSecret,
                    at: loaded.location(of: path) ?? .file(loaded.files.last ?? ""),
                    "\(path): secret \(reference.name) is not set; expected it in the environment or the secrets file"
                ))
        }
        guard missing.isEmpty else {
            throw ConfigError(
                .unresolvedSecrets,
                "unresolved secret reference\(missing.count == 1 ? "" : "s") in the \(loaded.environment) manifest: \(missing.joined(separator: ", "))",
                diagnostics: diagnostics.sortedByLocation()
            )
        }
        return ResolvedManifest(loaded: loaded, secrets: secrets)
    }
}
