import ArgumentParser
import ClipnetConfig
import ClipnetFormats
import Crypto
import Foundation
import ReconcilerClient
import ReconcilerHTTP

/// `reconciler init --directory DIR`: everything a first `reconciler run` against the real
/// platforms needs, written out: a complete configuration, a secrets file with every name the
/// manifests reference, the daemon's environment file, an admin token, and the steps from there.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a complete reconciler.yaml, the secrets and environment templates, and an admin token.",
        discussion: """
            Writes into --directory: reconciler.yaml (every setting, with its default and bounds), \
            <environment>.env (one line per secret the manifests reference, to fill in; mode 0600), \
            daemon.env (the platform tokens and a generated webhook secret; mode 0600) and \
            operator-tokens.json (one admin token, printed once). Existing files are kept unless --force. \
            Then prints the steps to a first run: fill the secrets, write production's fingerprints, \
            validate, run.
            """)

    @Option(help: "Where to write the files (created if missing).")
    var directory: String

    @Option(help: "The local manifest folder to read secret names from (the repository's deploy/).")
    var manifests: String = ManifestLoader.defaultDirectory

    @Option(help: "The environment this daemon manages.")
    var environment: String = "staging"

    @Option(help: "The repository to watch (https, ssh, file:// or a path).")
    var repository: String = "https://github.com/clipnet/clipnet.git"

    @Option(help: "The branch to follow.")
    var branch: String = "develop"

    @Flag(help: "Replace files that exist.")
    var force = false

    func run() async throws {
        let loaded: LoadedManifest
        do {
            loaded = try ManifestLoader.loadFromDisk(environment: environment, directory: manifests)
        } catch let error as ConfigError {
            printError("reconciler: \(error.description)")
            for diagnostic in error.diagnostics { printError(diagnostic.description) }
            printError("reconciler: init reads the secret names from the manifests; pass --manifests <the repository's deploy folder>")
            throw ExitCode(CLIExitCode.usage)
        }
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        let files = InitFiles(
            directory: directory, environment: environment, repository: repository, branch: branch,
            manifestDirectory: URL(fileURLWithPath: manifests).lastPathComponent, manifest: loaded.manifest)

        let planned = files.paths
        if !force, let existing = planned.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            printError("reconciler: \(existing) exists; nothing was written (--force replaces the files)")
            throw ExitCode(CLIExitCode.refused)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try write(files.configuration, to: files.configurationPath, mode: 0o644)
        try write(files.secretsTemplate, to: files.secretsPath, mode: 0o600)
        try write(files.daemonEnvironment(webhookSecret: Self.randomSecret()), to: files.daemonEnvironmentPath, mode: 0o600)
        var tokens = OperatorTokenFile()
        let admin = try tokens.issue(name: "admin", role: .admin)
        try tokens.save(path: files.tokensPath)

        printText(files.nextSteps(adminToken: admin))
    }

    private func write(_ text: String, to path: String, mode: Int) throws {
        do {
            try PrivateFileWriter.write(Data(text.utf8), to: path, mode: mode)
        } catch let failure as PrivateFileWriter.Failure {
            printError("reconciler: \(failure.description)")
            throw ExitCode(CLIExitCode.refused)
        }
    }

    /// 32 random bytes as hex: the webhook secret GitHub and the daemon share.
    static func randomSecret() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Hex.lowercase($0) }
    }
}
