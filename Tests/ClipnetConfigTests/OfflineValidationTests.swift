import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// `reconciler validate`'s logic: every problem of several environments, printed as
/// `file:line:column: message`, and never a secret value.
@Suite struct OfflineValidationTests {
    private static var allSecrets: [String: String] {
        Fixtures.stagingSecrets.merging(Fixtures.productionSecrets) { staging, _ in staging }
    }

    @Test func stagingNamingProductionThroughASecretFailsWithPositionsAndNoValue() throws {
        let directory = try TemporaryDirectory()
        var secrets = Self.allSecrets
        secrets["STAGING_REDIS_URL"] = "rediss://:\(Canary.value)@redis-prod.railway.internal:6379"
        let path = try directory.secretsFile(secrets)
        let report = OfflineValidation.run(
            OfflineValidation.Options(resolveSecrets: true, secretsFile: path), read: Fixtures.shippedFile
        )
        #expect(!report.succeeded)
        #expect(
            report.errors.map(\.description) == [
                "deploy/production.yaml:28:20: railway.services.api.variables.REDIS_URL through secret PROD_REDIS_URL: production names staging's Redis (host, port, database); expected a production resource",
                "deploy/production.yaml:38:20: railway.services.worker.variables.REDIS_URL through secret PROD_REDIS_URL: production names staging's Redis (host, port, database); expected a production resource",
                "deploy/production.yaml:48:10: railway.redis.url through secret PROD_REDIS_URL: production names staging's Redis (host, port, database); expected a production resource",
                "deploy/staging.yaml:25:20: railway.services.api.variables.REDIS_URL through secret STAGING_REDIS_URL: staging names production's Redis (host, port, database); expected a staging resource",
                "deploy/staging.yaml:32:20: railway.services.worker.variables.REDIS_URL through secret STAGING_REDIS_URL: staging names production's Redis (host, port, database); expected a staging resource",
                "deploy/staging.yaml:42:10: railway.redis.url through secret STAGING_REDIS_URL: staging names production's Redis (host, port, database); expected a staging resource",
            ])
        #expect(!report.lines.contains(where: Canary.leaks))
        #expect(!report.lines.contains { $0.contains(": OK (") })
    }

    @Test func anInvalidManifestIsReportedAndTheOtherIsStillValidated() throws {
        let files = Fixtures.shipped(replacing: [
            ("deploy/staging.yaml", "  domain: staging.clipnet.ai", "  domain: staging..clipnet.ai")
        ])
        let report = OfflineValidation.run(OfflineValidation.Options(), read: Fixtures.reader(files))
        #expect(
            report.errors.map(\.description) == [
                "deploy/staging.yaml:8:11: frontend.domain: 'staging..clipnet.ai' is not a valid domain name; expected a lowercase domain name, e.g. staging.clipnet.ai"
            ])
        #expect(report.summary.count == 1)
        #expect(report.summary.first?.hasPrefix("production: OK") == true)
    }

    @Test func problemsOfTheSharedBaseAreReportedOnce() throws {
        let files = Fixtures.shipped(replacing: [
            ("deploy/base.yaml", "  projectName: clipnet-web", "  projectName: clipnet-web\n  framework: nextjs")
        ])
        let report = OfflineValidation.run(OfflineValidation.Options(), read: Fixtures.reader(files))
        #expect(
            report.errors.map(\.description) == [
                "deploy/base.yaml:13:3: unknown key 'framework' in frontend; expected one of: teamId, projectId, projectName, domain, target, repository, rootDirectory, variables"
            ])
    }

    @Test func productionNamingStagingIsReportedOnTheProductionSide() throws {
        let files = Fixtures.shipped(replacing: [
            ("deploy/production.yaml", "  namespace: clipnet-prod", "  namespace: clipnet-staging"),
            ("deploy/production.yaml", "RUNPOD_NAMESPACE: clipnet-prod", "RUNPOD_NAMESPACE: clipnet-staging"),
        ])
        let report = OfflineValidation.run(OfflineValidation.Options(), read: Fixtures.reader(files))
        #expect(
            report.errors.map(\.description)
                == [
                    "deploy/production.yaml:42:27: railway.services.worker.variables.RUNPOD_NAMESPACE: production names staging's RunPod namespace; expected a production resource",
                    "deploy/production.yaml:56:14: runpod.namespace: production names staging's RunPod namespace; expected a production resource",
                    "deploy/staging.yaml:50:14: runpod.namespace: staging names production's RunPod namespace; expected a staging resource",
                    "deploy/staging.yaml:36:27: railway.services.worker.variables.RUNPOD_NAMESPACE: staging names production's RunPod namespace; expected a staging resource",
                ].sorted())
    }

    @Test func insecureSecretsFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.secretsFile(Self.allSecrets, mode: 0o644)
        let report = OfflineValidation.run(
            OfflineValidation.Options(resolveSecrets: true, secretsFile: path), read: Fixtures.shippedFile
        )
        #expect(
            report.errors.first?.description.hasPrefix(
                "\(path): refusing secrets file \(path): it is readable or writable by group or others (mode 0644)") == true)
        #expect(!report.lines.contains(where: Canary.leaks))
    }

    @Test func unresolvedSecretsAreNamedWithTheirPositions() {
        var environment = Self.allSecrets
        environment["PROD_CLIPBOT_CLIENT_SECRET"] = nil
        let report = OfflineValidation.run(
            OfflineValidation.Options(environments: ["production"], resolveSecrets: true, secretsEnvironment: environment),
            read: Fixtures.shippedFile
        )
        #expect(
            report.errors.map(\.description) == [
                "deploy/production.yaml:30:32: railway.services.api.variables.CLIPBOT_CLIENT_SECRET: secret PROD_CLIPBOT_CLIENT_SECRET is not set; expected it in the environment or the secrets file",
                "deploy/production.yaml:40:32: railway.services.worker.variables.CLIPBOT_CLIENT_SECRET: secret PROD_CLIPBOT_CLIENT_SECRET is not set; expected it in the environment or the secrets file",
                "deploy/production.yaml:66:19: oauth.clipbot.clientSecret: secret PROD_CLIPBOT_CLIENT_SECRET is not set; expected it in the environment or the secrets file",
            ])
    }

    @Test func fingerprintsFileSuppliesTheOtherEnvironmentsSecretIdentifiers() throws {
        let directory = try TemporaryDirectory()
        let fingerprintsPath = directory.appending("production.fingerprints.json")
        try Fixtures.productionFingerprints().jsonData().write(to: URL(fileURLWithPath: fingerprintsPath))
        var stagingOnly = Fixtures.stagingSecrets
        stagingOnly["STAGING_DATABASE_URL"] = "postgres://u:\(Canary.value)@postgres-prod.railway.internal/railway"
        let report = OfflineValidation.run(
            OfflineValidation.Options(
                environments: ["staging"], resolveSecrets: true, secretsEnvironment: stagingOnly,
                fingerprintsFile: fingerprintsPath),
            read: Fixtures.shippedFile
        )
        #expect(report.errors.count == 3)
        #expect(report.errors.allSatisfy { $0.message.contains("production's PostgreSQL database") })
        #expect(
            report.warnings == [
                "production secrets are not all available; its Redis, PostgreSQL and OAuth secrets may be missing from the isolation check"
            ])
        #expect(!report.lines.contains(where: Canary.leaks))
    }

    @Test func producesTheFingerprintsDocumentOfOneResolvedEnvironment() throws {
        let report = OfflineValidation.run(
            OfflineValidation.Options(
                environments: ["production"], resolveSecrets: true,
                secretsEnvironment: Self.allSecrets, produceFingerprints: true),
            read: Fixtures.shippedFile
        )
        #expect(report.succeeded)
        let fingerprints = try #require(report.fingerprints)
        #expect(fingerprints == (try Fixtures.productionFingerprints()))
        #expect(!Canary.leaks(fingerprints.jsonString()))
    }

    @Test func producingFingerprintsWithoutResolvedSecretsIsAnError() {
        let report = OfflineValidation.run(
            OfflineValidation.Options(environments: ["production"], produceFingerprints: true), read: Fixtures.shippedFile
        )
        #expect(
            report.errors.map(\.description) == [
                "deploy/production.yaml: --write-fingerprints needs --resolve-secrets, so secret-backed identifiers are included"
            ])
    }
}
