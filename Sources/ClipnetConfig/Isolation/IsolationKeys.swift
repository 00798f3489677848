import Foundation

/// The normalised identities a value can stand for. Both sides are reduced to these strings and
/// then hashed, so a check needs only the other environment's fingerprints, never its values.
///
/// Identities carry a kind prefix (`redis://`, `cloudinary-folder:`...) so that equal text of two
/// kinds never collides. The raw value's own fingerprint (`Fingerprint.of(value)`) is compared too,
/// which is what lets a live variable known only by its hash be checked.
enum IsolationKeys {
    /// The identity `value` has when the other environment uses it as `resource`, or nil when the
    /// value cannot be that resource (a Redis setting that is not a Redis URL).
    ///
    /// Endpoints have one identity per reading of their host (`HostSpelling`; addresses too when
    /// `resolver` resolves), so a fingerprint file records every spelling of production's hosts.
    static func identities(of value: String, as resource: IsolationResource, resolver: HostResolver = .none) -> [String]? {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        switch resource {
        case .redis, .postgres, .apiUrl:
            guard let identities = Endpoint(parsing: text)?.identities(resolver: resolver) else { return nil }
            let kind: EndpointKind = resource == .redis ? .redis : resource == .postgres ? .postgres : .web
            return identities.kind == kind ? identities.keys.sorted() : nil
        case .oauthClientSecret:
            return nil
        case .oauthClientId:
            return ["oauth-client-id:\(text)"]
        case .cloudinaryFolder:
            return folder(text).map { ["cloudinary-folder:\($0)"] }
        case .runpodNamespace:
            return ["runpod-namespace:\(text.lowercased())"]
        case .runpodModelPath:
            return ["runpod-model:\(modelPath(text))"]
        case .frontendDomain:
            return ["domain:\(domain(text))"]
        }
    }

    /// Fingerprints of everything `value` could name: its raw text, its endpoint identity if it is
    /// a URL, and otherwise its readings as a client id, folder (and each parent folder),
    /// namespace, model path and domain.
    static func candidateFingerprints(of value: String, resolver: HostResolver = .none) -> Set<String> {
        let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
        var keys: [String] = []
        if let endpoint = Endpoint(parsing: text) {
            if let identities = endpoint.identities(resolver: resolver) { keys.append(contentsOf: identities.keys) }
        } else {
            keys.append("oauth-client-id:\(text)")
            if let folder = folder(text) {
                let parts = folder.split(separator: "/")
                for count in parts.indices {
                    keys.append("cloudinary-folder:" + parts.prefix(count + 1).joined(separator: "/"))
                }
            }
            keys.append("runpod-namespace:\(text.lowercased())")
            keys.append("runpod-model:\(modelPath(text))")
            keys.append("domain:\(domain(text))")
        }
        return Set(keys.map(Fingerprint.of) + [Fingerprint.of(value), Fingerprint.of(text)])
    }

    /// Lowercased, without leading or trailing `/`; nil if nothing is left.
    private static func folder(_ text: String) -> String? {
        let trimmed = text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func modelPath(_ text: String) -> String {
        var path = text
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func domain(_ text: String) -> String {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
