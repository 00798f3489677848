import Foundation
import Testing

@testable import ClipnetConfig

/// The fingerprints document: how production's identifiers reach staging as hashes only.
@Suite struct IsolationFingerprintsTests {
    @Test func productionFingerprintsCoverEveryResourceAndHoldNoValue() throws {
        let fingerprints = try Fixtures.productionFingerprints()
        #expect(fingerprints.environment == "production")
        #expect(fingerprints.resources == Set(IsolationResource.allCases))
        #expect(fingerprints.entries.allSatisfy { Fingerprint.isWellFormed($0.fingerprint) })
        #expect(fingerprints.entries == fingerprints.entries.sorted())
        let json = String(decoding: fingerprints.jsonData(), as: UTF8.self)
        #expect(!Canary.leaks(json))
        for value in ["redis-prod", "postgres-prod", "clipbot-prod", "prod_clips", "api.clipnet.ai", "clipnet-prod"] {
            #expect(!json.contains(value))
        }
    }

    @Test func documentRoundTripsThroughJSON() throws {
        let fingerprints = try Fixtures.productionFingerprints()
        #expect(try IsolationFingerprints.decode(fingerprints.jsonData(), source: "file") == fingerprints)
        #expect(try IsolationFingerprints.decode(Data(fingerprints.jsonString().utf8), source: "variable") == fingerprints)
        #expect(fingerprints.jsonString().hasPrefix(#"{"entries":[{"fingerprint":"sha256:"#))
    }

    @Test func unresolvedManifestYieldsOnlyItsPlainIdentifiers() throws {
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        #expect(
            IsolationFingerprints(of: production).resources == [
                .apiUrl, .cloudinaryFolder, .runpodNamespace, .runpodModelPath, .frontendDomain,
            ])
    }

    @Test(arguments: [
        (#"{"format":"other/v9","environment":"production","entries":[]}"#, "fp has format 'other/v9'; expected 'clipnet.isolation-fingerprints/v1'"),
        (
            #"{"format":"clipnet.isolation-fingerprints/v1","environment":"production","entries":[{"resource":"redis","fingerprint":"md5:00"}]}"#,
            "fp: entry 0 is not a fingerprint; expected sha256: and 64 lowercase hex digits"
        ),
        (
            #"{"format":"clipnet.isolation-fingerprints/v1","environment":"production","entries":[{"resource":"kafka","fingerprint":"x"}]}"#,
            "fp is not an isolation fingerprints document; expected JSON {format, environment, entries: [{resource, fingerprint}]}"
        ),
        ("not json", "fp is not an isolation fingerprints document; expected JSON {format, environment, entries: [{resource, fingerprint}]}"),
    ])
    func malformedDocumentIsRefused(json: String, message: String) throws {
        let error = try #require(throws: ConfigError.self) {
            try IsolationFingerprints.decode(Data(json.utf8), source: "fp")
        }
        #expect(error.code == .invalidFingerprints)
        #expect(error.message == message)
    }

    @Test func mergingUnitesEntries() throws {
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        let plain = IsolationFingerprints(of: production)
        let full = try Fixtures.productionFingerprints()
        #expect(plain.merging(full) == full)
        #expect(IsolationFingerprints(environment: "production", entries: []).merging(plain) == plain)
    }
}

/// What the drift detector receives: two sets that meet exactly when a live value names production.
@Suite struct DriftDetectorContractTests {
    @Test(arguments: [
        ("rediss://:x@REDIS-PROD.railway.internal/0", true),
        ("prod_clips/2026/", true),
        ("https://api.clipnet.ai/v1", true),
        (Canary.value, true),
        ("redis://redis-staging.railway.internal:6379/0", false),
        ("staging_clips/", false),
        ("json", false),
    ])
    func identifierFingerprintsMeetProductionsExactlyWhenTheValueNamesProduction(value: String, names: Bool) throws {
        let production = try Fixtures.productionFingerprints().fingerprintSet
        #expect(!IsolationFingerprints.identifierFingerprints(of: value).isDisjoint(with: production) == names)
    }
}
