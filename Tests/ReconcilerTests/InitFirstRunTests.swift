import AsyncPrimitives
import ClipnetConfig
import Foundation
import HTTPTransport
import PlatformEmulators
import StagingSandbox
import TestSupport
import Testing

/// `reconciler init` then the steps it prints, as an operator would follow them: fill the
/// secrets, write production's fingerprints, validate, run. The daemon started from those files
/// alone (no secret in its environment) rolls the branch out.
@Suite(.serialized) struct InitFirstRunTests {
    static let reconciler = ChildProcess.productPath("reconciler")

    @Test func theFilesInitWritesTakeADaemonToItsFirstRollout() async throws {
        let sandbox = try await StagingSandbox.start(
            .init(
                manifestsDirectory: Scenario.manifests, redisURL: try Scenario.redisURL(), heartbeatInterval: .milliseconds(40)))
        defer { Task { await sandbox.stop() } }
        let directory = sandbox.root + "/etc-reconciler"
        let manifests = sandbox.repository.path + "/deploy"

        let initRun = try await Spawn.run(
            Self.reconciler,
            [
                "init", "--directory", directory, "--manifests", manifests, "--repository", sandbox.repository.path, "--branch", "develop",
            ], environment: [:])
        #expect(initRun.status == 0, "\(initRun)")
        #expect(
            initRun.stdout.contains("Admin token 'admin'")
                && initRun.stdout.contains("--write-fingerprints \(directory)/production.fingerprints.json"))
        let again = try await Spawn.run(Self.reconciler, ["init", "--directory", directory, "--manifests", manifests], environment: [:])
        #expect(again.status == 1 && again.stderr.contains("exists; nothing was written"), "\(again)")

        // Complete: every key the file accepts is written out (a comment for the few without a default).
        let configurationText = try String(contentsOfFile: directory + "/reconciler.yaml", encoding: .utf8)
        for key in DaemonConfiguration.keyPaths {
            let leaf = String(key.split(separator: ".").last!)
            #expect(configurationText.contains("\(leaf):"), "reconciler.yaml lacks \(key)")
        }
        _ = try DaemonConfiguration.load(path: directory + "/reconciler.yaml")

        // Step 1: the secrets file lists exactly the manifest's secret names; fill them in.
        let staging = try ManifestLoader.loadFromDisk(environment: "staging", directory: manifests).manifest
        var secrets = try String(contentsOfFile: directory + "/staging.env", encoding: .utf8)
        let names = Set(staging.secretReferences.map(\.reference.name))
        let listed = Set(secrets.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.hasSuffix("=") }.map { String($0.dropLast()) })
        #expect(listed == names)
        for name in names { secrets = secrets.replacingOccurrences(of: "\n\(name)=\n", with: "\n\(name)=\(sandbox.environment[name]!)\n") }
        try Self.write(secrets, to: directory + "/staging.env")

        // Step 2: production's fingerprints, from production's (here made-up) secrets.
        let production = try ManifestLoader.loadFromDisk(environment: "production", directory: manifests).manifest
        var productionSecrets: [String: String] = [:]
        for name in Set(production.secretReferences.map(\.reference.name)) {
            productionSecrets[name] =
                name.hasSuffix("REDIS_URL")
                ? "redis://prod-redis.clipnet.internal:6379/0"
                : name.hasSuffix("DATABASE_URL")
                    ? "postgresql://clipnet:prod-password@prod-db.clipnet.internal:5432/clipnet"
                    : "prod-\(name.lowercased())-value"
        }
        let fingerprints = try await Spawn.run(
            Self.reconciler,
            [
                "validate", "--directory", manifests, "--environment", "production", "--resolve-secrets",
                "--write-fingerprints", directory + "/production.fingerprints.json",
            ], environment: productionSecrets)
        #expect(fingerprints.status == 0, "\(fingerprints)")

        // Step 3: validate staging with its secrets and production's fingerprints.
        let validate = try await Spawn.run(
            Self.reconciler,
            [
                "validate", "--directory", manifests, "--environment", "staging", "--secrets-file", directory + "/staging.env",
                "--fingerprints", directory + "/production.fingerprints.json",
            ], environment: [:])
        #expect(validate.status == 0, "\(validate)")

        // Step 4: run with daemon.env's variables (the tokens filled in) and nothing else.
        let port = try UnusedLoopbackPort.make()
        try Self.write(
            configurationText.replacingOccurrences(of: "listen: 127.0.0.1:8080", with: "listen: 127.0.0.1:\(port)")
                .replacingOccurrences(of: "pollInterval: 30s", with: "pollInterval: 200ms")
                .replacingOccurrences(of: "rolloutPollInterval: 5s", with: "rolloutPollInterval: 50ms"),
            to: directory + "/reconciler.yaml", mode: 0o644)
        var environment = try Self.variables(in: directory + "/daemon.env")
        #expect(environment["GITHUB_WEBHOOK_SECRET"]?.count == 64, "a generated webhook secret")
        environment["VERCEL_TOKEN"] = sandbox.environment["VERCEL_TOKEN"]
        environment["RAILWAY_TOKEN"] = sandbox.environment["RAILWAY_TOKEN"]
        environment["VERCEL_API_URL"] = sandbox.environment["VERCEL_API_URL"]
        environment["RAILWAY_API_URL"] = sandbox.environment["RAILWAY_API_URL"]
        let daemon = try DaemonProcess(configurationPath: directory + "/reconciler.yaml", environment: environment)
        let head = try sandbox.commit("First release")
        let client = HTTPClient(runtime: try CurlRuntime())
        let rolledOut = await eventually(within: .seconds(90)) {
            let status = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/status"))
            return status?.text.contains(#""knownGood":{"#) == true && status?.text.contains(head) == true
                && sandbox.apps.runningRevision == head
        }
        _ = await daemon.terminate()
        #expect(rolledOut, "the daemon started from init's files rolled \(head) out")
    }

    static func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// `KEY=VALUE` lines of an environment file, comments skipped.
    static func variables(in path: String) throws -> [String: String] {
        var variables: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }
}
