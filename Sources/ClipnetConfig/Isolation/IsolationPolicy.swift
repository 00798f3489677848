/// Decides whether an environment's configuration names any resource of the other one. The other
/// side is known only by fingerprints (`IsolationFingerprints`), so the same check runs in the
/// reconciler's preflight, in `reconciler validate`, against live platform variables, and in the
/// worker, which never sees production's values.
public struct IsolationPolicy: Sendable {
    /// The environment being checked.
    public let environment: String
    /// The other environment's identifiers.
    public let denied: IsolationFingerprints

    /// How host names are resolved before comparing (`HostResolver.none`: spellings are
    /// normalised, names compared as names).
    public let resolver: HostResolver

    public init(environment: String, denied: IsolationFingerprints, resolver: HostResolver = .none) {
        self.environment = environment
        self.denied = denied
        self.resolver = resolver
    }

    /// Violations in a resolved manifest: plain values and resolved secrets alike.
    public func violations(in resolved: ResolvedManifest) -> [IsolationViolation] {
        violations(in: resolved.loaded, secrets: resolved.secrets)
    }

    /// Violations among the plain values of an unresolved manifest (and any secrets supplied).
    public func violations(in loaded: LoadedManifest, secrets: [String: SecretValue] = [:]) -> [IsolationViolation] {
        loaded.manifest.valueSites.compactMap { path, value in
            let text: String
            switch value {
            case .plain(let plain): text = plain
            case .secret(let reference):
                guard let secret = secrets[reference.name] else { return nil }
                text = secret.reveal()
            }
            return violation(
                for: text, subject: path, secret: value.secretReference?.name,
                location: loaded.location(of: path))
        }
    }

    /// Throws unless `resolved` is clean: the preflight gate before any platform is touched.
    /// - Throws: `ConfigError` `.isolationViolation` with one diagnostic per violation.
    public func check(_ resolved: ResolvedManifest) throws {
        let found = violations(in: resolved)
        guard found.isEmpty else {
            throw ConfigError(
                .isolationViolation,
                "the \(environment) manifest names \(denied.environment) resources (\(found.count))",
                diagnostics: found.map(\.diagnostic)
            )
        }
    }

    /// Violations among a service's live platform variables, for drift detection.
    /// - Parameters:
    ///   - variables: variable name to its live value, or to the fingerprint of the value when the
    ///     platform (or the caller) only has that; a fingerprint matches only exact values.
    ///   - service: the service name used in messages (`api`, `worker`, `frontend`).
    public func violations(inLive variables: [String: LiveValue], service: String) -> [IsolationViolation] {
        variables.sorted { $0.key < $1.key }.compactMap { name, value in
            let subject = "live variable \(name) of service \(service)"
            switch value {
            case .value(let text):
                return violation(for: text, subject: subject, secret: nil, location: nil)
            case .fingerprint(let fingerprint):
                return denied.resource(matchingAny: [fingerprint]).map {
                    IsolationViolation(
                        resource: $0, environment: environment, owner: denied.environment,
                        subject: subject, secret: nil, location: nil)
                }
            }
        }
    }

    /// The violation `text` makes, if it names any denied resource.
    func violation(for text: String, subject: String, secret: String?, location: SourceLocation?) -> IsolationViolation? {
        guard !text.isEmpty, let resource = denied.resource(matchingAny: IsolationKeys.candidateFingerprints(of: text, resolver: resolver))
        else { return nil }
        return IsolationViolation(
            resource: resource, environment: environment, owner: denied.environment,
            subject: subject, secret: secret, location: location)
    }
}

/// A live platform variable as the drift detector has it.
public enum LiveValue: Sendable, Hashable {
    /// The clear value read from the platform.
    case value(String)
    /// `sha256:<hex>` of the value.
    case fingerprint(String)
}
