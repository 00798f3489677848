import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// Secret references, their resolution, the secrets file and the redaction of values.
@Suite struct SecretsTests {
    @Test func secretValueNeverPrintsItsValue() throws {
        let secret = SecretValue(name: "PROD_CLIPBOT_CLIENT_SECRET", value: Canary.value)
        var dumped = ""
        dump(secret, to: &dumped)
        let json = String(decoding: try JSONEncoder().encode(["s": secret]), as: UTF8.self)
        let outputs = [
            secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
            String(reflecting: secret), dumped, json, "\([secret])", "\(Optional(secret) as Any)",
            ResolvedValue.secret(secret).description,
            String(decoding: try JSONEncoder().encode(ResolvedValue.secret(secret)), as: UTF8.self),
        ]
        for output in outputs {
            #expect(!Canary.leaks(output), "leaked in: \(output)")
        }
        #expect(secret.description == "<redacted:PROD_CLIPBOT_CLIENT_SECRET>")
        #expect(json == #"{"s":"<redacted:PROD_CLIPBOT_CLIENT_SECRET>"}"#)
        #expect(Mirror(reflecting: secret).children.isEmpty)
        #expect(secret.reveal() == Canary.value)
    }

    @Test func fingerprintIsTheSHA256OfTheValue() {
        let secret = SecretValue(name: "X", value: "abc")
        #expect(secret.fingerprint == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ResolvedValue.plain("abc").fingerprint == secret.fingerprint)
        #expect(Fingerprint.isWellFormed(secret.fingerprint))
        #expect(SecretValue(name: "X", value: "abd").fingerprint != secret.fingerprint)
    }

    @Test func secretsFileParsesKeyValueLines() throws {
        let file = try SecretsFile(
            path: "s.env",
            text: """
                # comment
                PLAIN=value
                  export EXPORTED=with=equals
                QUOTED="a quoted value"
                SINGLE='single'
                WINDOWS=crlf\r

                EMPTY=
                """)
        let store = SecretStore(environment: [:], file: file)
        #expect(store.value(for: "PLAIN")?.reveal() == "value")
        #expect(store.value(for: "EXPORTED")?.reveal() == "with=equals")
        #expect(store.value(for: "QUOTED")?.reveal() == "a quoted value")
        #expect(store.value(for: "SINGLE")?.reveal() == "single")
        #expect(store.value(for: "WINDOWS")?.reveal() == "crlf")
        #expect(store.value(for: "EMPTY") == nil)
        #expect(file.names == ["EMPTY", "EXPORTED", "PLAIN", "QUOTED", "SINGLE", "WINDOWS"])
    }

    @Test func malformedSecretsFileNamesTheLineButNotItsContent() throws {
        let error = try #require(throws: ConfigError.self) {
            try SecretsFile(path: "s.env", text: "GOOD=1\n\(Canary.value)\nGOOD=2\n")
        }
        #expect(error.code == .invalidSecretsFile)
        #expect(
            error.message
                == "secrets file s.env is malformed: line 2: expected KEY=VALUE with KEY of letters, digits and '_'; line 3: GOOD is set twice; expected each key once"
        )
        #expect(!Canary.leaks(error.description))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606] as [mode_t])
    func secretsFileReadableByOthersIsRefused(mode: mode_t) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.secretsFile(["PROD_REDIS_URL": Canary.value], mode: mode)
        let error = try #require(throws: ConfigError.self) { try SecretsFile.load(path: path) }
        #expect(error.code == .insecureSecretsFile)
        #expect(
            error.message
                == "refusing secrets file \(path): it is readable or writable by group or others (mode 0\(String(mode, radix: 8))); expected mode 0600 or 0400 (chmod 600 \(path))"
        )
        #expect(!Canary.leaks(error.description))
    }

    @Test(arguments: [0o600, 0o400] as [mode_t])
    func secretsFileOnlyItsOwnerCanReadIsAccepted(mode: mode_t) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.secretsFile(["A": "1"], mode: mode)
        #expect(try SecretsFile.load(path: path).names == ["A"])
    }

    @Test func secretsFileThatIsADirectoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        chmod(directory.path, 0o700)
        let error = try #require(throws: ConfigError.self) { try SecretsFile.load(path: directory.path) }
        #expect(error.code == .insecureSecretsFile)
    }

    @Test func theEnvironmentTakesPrecedenceOverTheSecretsFile() throws {
        let file = try SecretsFile(path: "s.env", text: "A=from-file\nB=from-file\n")
        let store = SecretStore(environment: ["A": "from-env", "B": ""], file: file)
        #expect(store.value(for: "A")?.reveal() == "from-env")
        #expect(store.value(for: "B")?.reveal() == "from-file")
        #expect(store.value(for: "C") == nil)
        #expect(!store.description.contains("from-"))
    }

    @Test func everyUnresolvedReferenceIsNamedInOneError() throws {
        let loaded = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile)
        var partial = Fixtures.stagingSecrets
        partial["STAGING_REDIS_URL"] = nil
        partial["CLOUDINARY_URL"] = nil
        let error = try #require(throws: ConfigError.self) {
            try SecretResolver.resolve(loaded, from: SecretStore(environment: partial))
        }
        #expect(error.code == .unresolvedSecrets)
        #expect(error.message == "unresolved secret references in the staging manifest: STAGING_REDIS_URL, CLOUDINARY_URL")
        #expect(
            error.diagnostics.map(\.description) == [
                "deploy/base.yaml:44:25: railway.services.worker.variables.CLOUDINARY_URL: secret CLOUDINARY_URL is not set; expected it in the environment or the secrets file",
                "deploy/staging.yaml:25:20: railway.services.api.variables.REDIS_URL: secret STAGING_REDIS_URL is not set; expected it in the environment or the secrets file",
                "deploy/staging.yaml:32:20: railway.services.worker.variables.REDIS_URL: secret STAGING_REDIS_URL is not set; expected it in the environment or the secrets file",
                "deploy/staging.yaml:42:10: railway.redis.url: secret STAGING_REDIS_URL is not set; expected it in the environment or the secrets file",
            ])
    }

    @Test func resolvedManifestGivesServiceVariablesWithSecretsRedactedInPrint() throws {
        let loaded = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        let resolved = try SecretResolver.resolve(loaded, from: SecretStore(environment: Fixtures.productionSecrets))
        let worker = resolved.variables(of: .worker)
        #expect(worker["REDIS_URL"]?.reveal() == Fixtures.productionSecrets["PROD_REDIS_URL"])
        #expect(worker["CLOUDINARY_FOLDER"] == .plain("prod_clips/"))
        #expect(!Canary.leaks("\(worker)"))
        let json = String(decoding: try JSONEncoder().encode(worker), as: UTF8.self)
        #expect(!Canary.leaks(json))
        #expect(json.contains("<redacted:PROD_REDIS_URL>"))
    }
}
