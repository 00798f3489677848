import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// Secret values never reach output: every error, diagnostic, description, dump and JSON this
/// module produces from a configuration full of canary values is searched for the canary.
@Suite struct CanaryTests {
    @Test func noOutputOfTheModuleContainsTheCanary() throws {
        var outputs: [String] = []
        func record(_ error: any Error) {
            outputs.append("\(error)")
            outputs.append(String(reflecting: error))
        }
        func dumped(_ value: Any) -> String {
            var text = ""
            dump(value, to: &text)
            return text
        }

        // Resolution, with the canary in production's secrets and a canary-named missing secret.
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        let store = SecretStore(environment: Fixtures.productionSecrets)
        let resolved = try SecretResolver.resolve(production, from: store)
        outputs += [dumped(resolved), dumped(store), "\(store)", dumped(resolved.variables(of: .worker))]
        outputs += [String(decoding: try JSONEncoder().encode(resolved.variables(of: .api)), as: UTF8.self)]
        var partial = Fixtures.productionSecrets
        partial["PROD_REDIS_URL"] = nil
        do { _ = try SecretResolver.resolve(production, from: SecretStore(environment: partial)) } catch { record(error) }

        // A secrets file whose malformed line holds the canary, and one readable by others.
        do { _ = try SecretsFile(path: "s.env", text: "\(Canary.value)\n") } catch { record(error) }
        let directory = try TemporaryDirectory()
        let insecure = try directory.secretsFile(["PROD_REDIS_URL": Canary.value], mode: 0o644)
        do { _ = try SecretsFile.load(path: insecure) } catch { record(error) }
        let secure = try directory.secretsFile(["PROD_REDIS_URL": Canary.value], name: "ok.env")
        let file = try SecretsFile.load(path: secure)
        outputs += ["\(file)", dumped(file)]

        // Isolation: staging resolving to production's canary-bearing values.
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile)
        var stagingSecrets = Fixtures.stagingSecrets
        stagingSecrets["STAGING_REDIS_URL"] = Fixtures.productionSecrets["PROD_REDIS_URL"]
        stagingSecrets["STAGING_CLIPBOT_CLIENT_SECRET"] = Canary.value
        let stagingResolved = try SecretResolver.resolve(staging, from: SecretStore(environment: stagingSecrets))
        let fingerprints = try Fixtures.productionFingerprints()
        let policy = IsolationPolicy(environment: "staging", denied: fingerprints)
        let violations = policy.violations(in: stagingResolved)
        #expect(violations.count == 6)
        outputs += violations.map(\.description) + violations.map(\.diagnostic.description)
        outputs += [String(decoding: try JSONEncoder().encode(violations), as: UTF8.self)]
        do { try policy.check(stagingResolved) } catch { record(error) }
        outputs += policy.violations(inLive: ["X": .value(Canary.value), "Y": .fingerprint(Fingerprint.of(Canary.value))], service: "api").map(
            \.description)
        outputs += [fingerprints.jsonString(), String(decoding: fingerprints.jsonData(), as: UTF8.self), dumped(fingerprints)]

        // Preflight and the worker guard.
        do {
            _ = try ConfigurationPreflight.run(
                environment: "staging", read: Fixtures.shippedFile,
                secrets: SecretStore(environment: stagingSecrets), otherFingerprints: fingerprints)
        } catch { record(error) }
        let settings = WorkerSettings(
            environment: "staging", redisURL: Fixtures.productionSecrets["PROD_REDIS_URL"]!,
            postgresURL: Fixtures.productionSecrets["PROD_DATABASE_URL"]!,
            oauthClientSecret: Canary.value, cloudinaryFolder: "staging_clips/",
            runpodNamespace: "clipnet-staging")
        outputs += ["\(settings)", dumped(settings)] + WorkerIsolationGuard(productionFingerprints: fingerprints).problems(settings)
        do { try WorkerIsolationGuard(productionFingerprints: fingerprints).check(settings) } catch { record(error) }

        // `validate` output.
        let secretsPath = try directory.secretsFile(stagingSecrets.merging(Fixtures.productionSecrets) { a, _ in a }, name: "all.env")
        let report = OfflineValidation.run(
            OfflineValidation.Options(resolveSecrets: true, secretsFile: secretsPath),
            read: Fixtures.shippedFile)
        #expect(!report.succeeded)
        outputs += report.lines

        #expect(outputs.count > 30)
        let leaks = outputs.filter(Canary.leaks)
        #expect(leaks.isEmpty, "the canary leaked into \(leaks.count) outputs")
        #expect(outputs.contains { $0.contains("<redacted:PROD_REDIS_URL>") })
    }
}
