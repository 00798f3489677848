import Foundation

/// `reconciler validate`: every check the preflight makes, offline, over several environments at
/// once, collecting every problem. Lives here rather than in the CLI so its output can be tested
/// (including that no secret value ever appears in it).
public enum OfflineValidation {
    public struct Options: Sendable {
        public var directory: String
        public var environments: [String]
        /// Resolve secret references and check the resolved values too.
        public var resolveSecrets: Bool
        public var secretsFile: String?
        /// Where secrets come from besides the file (the process environment).
        public var secretsEnvironment: [String: String]
        /// A fingerprints document of another environment to add to its deny list.
        public var fingerprintsFile: String?
        /// Produce the fingerprints document of the (single) environment validated.
        public var produceFingerprints: Bool
        /// How host names are resolved: the fingerprints document records the addresses, and the
        /// check compares them (`HostResolver`'s rule for several addresses).
        public var resolver: HostResolver = .none

        public init(
            directory: String = ManifestLoader.defaultDirectory,
            environments: [String] = [EnvironmentConventions.staging, EnvironmentConventions.production],
            resolveSecrets: Bool = false,
            secretsFile: String? = nil,
            secretsEnvironment: [String: String] = [:],
            fingerprintsFile: String? = nil,
            produceFingerprints: Bool = false
        ) {
            self.directory = directory
            self.environments = environments
            self.resolveSecrets = resolveSecrets
            self.secretsFile = secretsFile
            self.secretsEnvironment = secretsEnvironment
            self.fingerprintsFile = fingerprintsFile
            self.produceFingerprints = produceFingerprints
        }
    }

    public struct Report: Sendable {
        /// Errors, each printed as `file:line:column: message`.
        public var errors: [Diagnostic] = []
        /// Gaps that do not fail validation (an isolation check that could not cover secrets).
        public var warnings: [String] = []
        /// One line per environment that validated.
        public var summary: [String] = []
        /// The fingerprints document, when asked for and the environment validated.
        public var fingerprints: IsolationFingerprints?

        public var succeeded: Bool { errors.isEmpty }

        /// Every line the command prints, in order: errors, warnings, then the summary.
        public var lines: [String] {
            errors.map(\.description) + warnings.map { "warning: \($0)" } + (succeeded ? summary : [])
        }
    }

    /// Runs the checks. `read` reads a manifest path (nil if absent).
    public static func run(_ options: Options, read: (String) throws -> String?) -> Report {
        var report = Report()
        var store: SecretStore?
        if options.resolveSecrets {
            do {
                let file = try options.secretsFile.map { try SecretsFile.load(path: $0) }
                store = SecretStore(environment: options.secretsEnvironment, file: file)
            } catch let error as ConfigError {
                report.errors.append(Diagnostic(.unresolvedSecret, at: .file(options.secretsFile ?? ""), error.message))
            } catch {
                report.errors.append(Diagnostic(.unresolvedSecret, at: .file(options.secretsFile ?? ""), "cannot read the secrets file"))
            }
        }
        var supplied: IsolationFingerprints?
        if let path = options.fingerprintsFile {
            do {
                supplied = try IsolationFingerprints.load(path: path)
            } catch let error as ConfigError {
                report.errors.append(Diagnostic(.isolation, at: .file(path), error.message))
            } catch {
                report.errors.append(Diagnostic(.isolation, at: .file(path), "cannot read the fingerprints file"))
            }
        }

        let requested = unique(options.environments)
        let needed = unique(requested + requested.map(EnvironmentConventions.counterpart(of:)))
        var loaded: [String: LoadedManifest] = [:]
        var resolved: [String: ResolvedManifest] = [:]
        for environment in needed {
            let isRequested = requested.contains(environment)
            let evaluation: ManifestEvaluation
            do {
                evaluation = try ManifestLoader.evaluate(environment: environment, directory: options.directory, read: read)
            } catch let error as ConfigError {
                report.errors +=
                    error.diagnostics.isEmpty
                    ? [Diagnostic(.missingFile, at: .file(ManifestLoader.environmentFile(environment, in: options.directory)), error.message)]
                    : error.diagnostics
                continue
            } catch {
                report.errors.append(Diagnostic(.missingFile, at: .file(options.directory), "cannot read the manifests"))
                continue
            }
            if isRequested {
                report.errors += evaluation.diagnostics
            } else if !evaluation.diagnostics.isEmpty {
                report.warnings.append("the \(environment) manifest is missing or invalid; isolation from it is checked against --fingerprints only")
            }
            guard let manifest = evaluation.manifest else { continue }
            loaded[environment] = manifest
            guard let store else { continue }
            do {
                resolved[environment] = try SecretResolver.resolve(manifest, from: store)
            } catch let error as ConfigError {
                if isRequested {
                    report.errors += error.diagnostics
                } else {
                    report.warnings.append(
                        "\(environment) secrets are not all available; its Redis, PostgreSQL and OAuth secrets "
                            + "may be missing from the isolation check"
                    )
                }
            } catch {}
        }

        for environment in requested {
            guard let manifest = loaded[environment] else { continue }
            let other = EnvironmentConventions.counterpart(of: environment)
            var denied = IsolationFingerprints(environment: other, entries: [])
            if let otherManifest = loaded[other] {
                denied = denied.merging(
                    IsolationFingerprints(of: otherManifest, secrets: resolved[other]?.secrets ?? [:], resolver: options.resolver))
            }
            if let supplied {
                if supplied.environment == other {
                    denied = denied.merging(supplied)
                } else if supplied.environment != environment {
                    report.warnings.append("the fingerprints file describes '\(supplied.environment)', not \(other); ignored for \(environment)")
                }
            }
            let uncovered = [IsolationResource.redis, .postgres, .oauthClientSecret].filter { !denied.resources.contains($0) }
            if !uncovered.isEmpty {
                report.warnings.append(
                    "isolation of \(environment) from \(other) does not cover \(other)'s "
                        + "\(uncovered.map(\.phrase).joined(separator: ", ")): "
                        + "pass --resolve-secrets with \(other)'s secrets, or --fingerprints"
                )
            }
            let policy = IsolationPolicy(environment: environment, denied: denied, resolver: options.resolver)
            let violations = resolved[environment].map(policy.violations(in:)) ?? policy.violations(in: manifest)
            report.errors += violations.map(\.diagnostic)
            let references = Set(manifest.manifest.secretReferences.map(\.reference.name)).count
            let secretsState = resolved[environment] != nil ? "resolved" : "not resolved"
            report.summary.append(
                "\(environment): OK (\(manifest.files.joined(separator: " + ")); \(references) secret references, "
                    + "\(secretsState); checked against \(denied.entries.count) \(other) fingerprints)"
            )
        }

        if options.produceFingerprints {
            if requested.count != 1 {
                report.errors.append(Diagnostic(.isolation, at: .file(options.directory), "--write-fingerprints needs exactly one --environment"))
            } else if let environment = requested.first, let manifest = loaded[environment] {
                if let resolved = resolved[environment] {
                    report.fingerprints = IsolationFingerprints(of: resolved, resolver: options.resolver)
                } else {
                    report.errors.append(
                        Diagnostic(
                            .isolation, at: .file(manifest.files.last ?? options.directory),
                            "--write-fingerprints needs --resolve-secrets, so secret-backed identifiers are included"))
                }
            }
        }
        // The base file is layered into every environment: report each of its problems once.
        var seen: Set<Diagnostic> = []
        report.errors = report.errors.sortedByLocation().filter { seen.insert($0).inserted }
        return report
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
