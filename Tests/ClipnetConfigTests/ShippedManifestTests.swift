import ClipnetContracts
import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// The three manifests in deploy/ load, validate and pass isolation.
@Suite struct ShippedManifestTests {
    @Test(arguments: ["staging", "production"])
    func shippedManifestLoadsFromDiskWithoutDiagnostics(environment: String) throws {
        let loaded = try ManifestLoader.loadFromDisk(environment: environment, directory: Fixtures.deployDirectory)
        #expect(loaded.environment == environment)
        #expect(loaded.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["base.yaml", "\(environment).yaml"])
        #expect(loaded.manifest.cloudinary.folder == EnvironmentConventions.cloudinaryFolder(for: environment))
    }

    @Test func shippedStagingDescribesCLIPNETPhaseOne() throws {
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile).manifest
        #expect(staging.frontend.domain == "staging.clipnet.ai")
        #expect(staging.cloudinary.folder == "staging_clips/")
        #expect(staging.oauth["clipbot"]?.clientSecret == SecretReference(name: "STAGING_CLIPBOT_CLIENT_SECRET"))
        #expect(staging.railway.redis.url == SecretReference(name: "STAGING_REDIS_URL"))
        #expect(DriftPolicies.Kind.allCases.allSatisfy { staging.drift.actions[$0] != nil })
    }

    @Test func stagingAndProductionShareTheRunPodEndpointButNotNamespacesOrModels() throws {
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile).manifest
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile).manifest
        #expect(staging.runpod.endpointId == production.runpod.endpointId)
        #expect(staging.runpod.namespace != production.runpod.namespace)
        #expect(Set(staging.runpod.models.values).isDisjoint(with: production.runpod.models.values))
    }

    @Test func shippedManifestsValidateOfflineWithSecretsResolved() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.secretsFile(Fixtures.stagingSecrets.merging(Fixtures.productionSecrets) { a, _ in a })
        let report = OfflineValidation.run(
            OfflineValidation.Options(resolveSecrets: true, secretsFile: path),
            read: Fixtures.shippedFile
        )
        #expect(report.errors.map(\.description) == [])
        #expect(report.warnings == [])
        #expect(report.succeeded)
        #expect(report.summary.count == 2)
        #expect(report.summary.first?.hasPrefix("staging: OK (deploy/base.yaml + deploy/staging.yaml; 6 secret references, resolved") == true)
        #expect(!report.lines.contains(where: Canary.leaks))
    }

    @Test func shippedManifestsValidateOfflineWithoutSecretsAndSayWhatIsNotCovered() {
        let report = OfflineValidation.run(OfflineValidation.Options(), read: Fixtures.shippedFile)
        #expect(report.succeeded)
        #expect(report.warnings.count == 2)
        #expect(
            report.warnings.first?.contains(
                "does not cover production's Redis (host, port, database), PostgreSQL database (host, port, database), OAuth client secret") == true)
    }

    @Test func shippedManifestsPassThePreflight() throws {
        let result = try ConfigurationPreflight.run(
            environment: "staging",
            read: Fixtures.shippedFile,
            secrets: SecretStore(environment: Fixtures.stagingSecrets),
            otherFingerprints: try Fixtures.productionFingerprints()
        )
        #expect(result.resolved.secrets.count == 6)
        #expect(result.denied.resources == Set(IsolationResource.allCases))
        let variable = try #require(result.workerFingerprintsVariable)
        #expect(variable.name == "CLIPNET_PRODUCTION_FINGERPRINTS")
        #expect(!Canary.leaks(variable.value))
        let decoded = try IsolationFingerprints.decode(Data(variable.value.utf8), source: "variable")
        #expect(decoded == result.denied)
    }
}

extension TemporaryDirectory {
    /// Writes `KEY=VALUE` lines to a file of the given mode and returns its path.
    func secretsFile(_ values: [String: String], name: String = "secrets.env", mode: mode_t = 0o600) throws -> String {
        let text = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
        return try write(text, name: name, mode: mode)
    }

    func write(_ text: String, name: String, mode: mode_t = 0o600) throws -> String {
        let file = appending(name)
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        guard chmod(file, mode) == 0 else { throw POSIXError(.EPERM) }
        return file
    }
}
