import ArgumentParser
import ClipnetConfig
import Foundation

/// `reconciler validate`: every check of the rollout preflight, offline: the manifests parse,
/// layer and validate; with `--resolve-secrets` every secret reference has a value; and no
/// environment names a resource of the other. What CI of the CLIPNET repository runs. Problems go
/// to standard error as `file:line:column: message` and make the exit status non-zero; secret
/// values are never printed.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the manifests, their secrets and staging/production isolation, offline.",
        discussion: """
            Reads <directory>/base.yaml and <directory>/<environment>.yaml for each environment, and the \
            other environment's manifest for the isolation check. Secrets come from the process \
            environment first, then --secrets-file (KEY=VALUE lines, mode 0600). See docs/configuration.md.
            """
    )

    @Option(help: "Directory holding base.yaml and <environment>.yaml.")
    var directory: String = ManifestLoader.defaultDirectory

    @Option(name: .customLong("environment"), help: "Environment to validate; repeat for several (default: staging and production).")
    var environments: [String] = []

    @Option(help: "Secrets file of KEY=VALUE lines, readable by its owner only; implies --resolve-secrets.")
    var secretsFile: String?

    @Flag(help: "Resolve secret references (environment, then --secrets-file) and check the values too.")
    var resolveSecrets = false

    @Option(help: "Fingerprints document of the other environment, adding its secret-backed identifiers to the isolation check.")
    var fingerprints: String?

    @Option(help: "Write the fingerprints document of the one --environment validated (needs its secrets).")
    var writeFingerprints: String?

    func run() async throws {
        var options = OfflineValidation.Options(
            directory: directory,
            environments: environments.isEmpty
                ? [EnvironmentConventions.staging, EnvironmentConventions.production] : environments,
            resolveSecrets: resolveSecrets || secretsFile != nil,
            secretsFile: secretsFile,
            secretsEnvironment: ProcessInfo.processInfo.environment,
            fingerprintsFile: fingerprints,
            produceFingerprints: writeFingerprints != nil
        )
        // Names are resolved: the fingerprints record their addresses, and a staging name for a
        // production server is found by address.
        options.resolver = .system(timeout: .seconds(2))
        let report = OfflineValidation.run(options, read: ManifestLoader.readFile)
        for line in report.errors.map(\.description) + report.warnings.map({ "warning: \($0)" }) {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        guard report.succeeded else {
            let count = report.errors.count
            FileHandle.standardError.write(Data("reconciler validate: \(count) problem\(count == 1 ? "" : "s")\n".utf8))
            throw ExitCode.failure
        }
        if let path = writeFingerprints, let document = report.fingerprints {
            try document.jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
            report.summary.forEach { print($0) }
            print("wrote \(document.entries.count) \(document.environment) fingerprints to \(path)")
        } else {
            report.summary.forEach { print($0) }
        }
    }
}
