import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// The worker's start-up guard, which knows production only by fingerprints.
@Suite struct WorkerIsolationGuardTests {
    static let stagingEnvironment: [String: String] = [
        "CLIPNET_ENVIRONMENT": "staging",
        "REDIS_URL": Fixtures.stagingSecrets["STAGING_REDIS_URL"]!,
        "DATABASE_URL": Fixtures.stagingSecrets["STAGING_DATABASE_URL"]!,
        "CLIPBOT_CLIENT_ID": "clipbot-staging-5f1c2e9a",
        "CLIPBOT_CLIENT_SECRET": Fixtures.stagingSecrets["STAGING_CLIPBOT_CLIENT_SECRET"]!,
        "CLOUDINARY_FOLDER": "staging_clips/",
        "RUNPOD_NAMESPACE": "clipnet-staging",
        "RUNPOD_MODEL_WHISPER": "/runpod-volume/staging/whisper-large-v3",
        "RUNPOD_MODEL_CLIP": "/runpod-volume/staging/clip-vit-l-14",
    ]

    private func guardWithProduction() throws -> WorkerIsolationGuard {
        WorkerIsolationGuard(productionFingerprints: try Fixtures.productionFingerprints())
    }

    @Test func stagingWorkerWithItsOwnSettingsStarts() throws {
        let settings = try WorkerSettings.fromEnvironment(Self.stagingEnvironment)
        #expect(settings.runpodModelPaths == ["whisper": "/runpod-volume/staging/whisper-large-v3", "clip": "/runpod-volume/staging/clip-vit-l-14"])
        try guardWithProduction().check(settings)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let variable: String
        let value: String
        let expected: [String]
        var testDescription: String { variable }
    }

    static let cases: [Case] = [
        Case(
            variable: "REDIS_URL", value: "rediss://:\(Canary.value)@redis-prod.railway.internal/0",
            expected: [
                "worker setting REDIS_URL: staging names production's Redis (host, port, database); expected a staging resource"
            ]),
        Case(
            variable: "DATABASE_URL", value: "postgres://u:\(Canary.value)@postgres-prod.railway.internal:5432/railway",
            expected: [
                "worker setting DATABASE_URL: staging names production's PostgreSQL database (host, port, database); expected a staging resource"
            ]),
        Case(
            variable: "CLIPBOT_CLIENT_ID", value: "clipbot-prod-93b1d7",
            expected: [
                "worker setting CLIPBOT_CLIENT_ID: staging names production's OAuth client id; expected a staging resource"
            ]),
        Case(
            variable: "CLIPBOT_CLIENT_SECRET", value: Canary.value,
            expected: [
                "worker setting CLIPBOT_CLIENT_SECRET: staging names production's OAuth client secret; expected a staging resource"
            ]),
        Case(
            variable: "RUNPOD_NAMESPACE", value: "clipnet-prod",
            expected: [
                "worker setting RUNPOD_NAMESPACE: staging names production's RunPod namespace; expected a staging resource"
            ]),
        Case(
            variable: "RUNPOD_MODEL_WHISPER", value: "/runpod-volume/prod/whisper-large-v3",
            expected: [
                "worker setting RUNPOD_MODEL_WHISPER: staging names production's RunPod model path; expected a staging resource"
            ]),
        Case(
            variable: "CLOUDINARY_FOLDER", value: "prod_clips/",
            expected: [
                "CLOUDINARY_FOLDER 'prod_clips/' is not the staging folder; expected 'staging_clips/'",
                "worker setting CLOUDINARY_FOLDER: staging names production's Cloudinary folder; expected a staging resource",
            ]),
        Case(
            variable: "CLOUDINARY_FOLDER", value: "clips/",
            expected: [
                "CLOUDINARY_FOLDER 'clips/' is not the staging folder; expected 'staging_clips/'"
            ]),
    ]

    @Test(arguments: cases)
    func stagingWorkerNamingProductionRefusesToStart(_ testCase: Case) throws {
        var environment = Self.stagingEnvironment
        environment[testCase.variable] = testCase.value
        let settings = try WorkerSettings.fromEnvironment(environment)
        let workerGuard = try guardWithProduction()
        #expect(workerGuard.problems(settings) == testCase.expected)
        let error = try #require(throws: ConfigError.self) { try workerGuard.check(settings) }
        #expect(error.code == .isolationViolation)
        #expect(error.message == "refusing to start the staging worker: " + testCase.expected.joined(separator: "; "))
        #expect(!Canary.leaks(error.description))
        #expect(!Canary.leaks("\(settings)"))
    }

    @Test func stagingWorkerWithoutProductionFingerprintsRefusesToStart() throws {
        let settings = try WorkerSettings.fromEnvironment(Self.stagingEnvironment)
        let error = try #require(throws: ConfigError.self) {
            try WorkerIsolationGuard(productionFingerprints: nil).check(settings)
        }
        #expect(
            error.message
                == "refusing to start the staging worker: production fingerprints are missing; expected CLIPNET_PRODUCTION_FINGERPRINTS or CLIPNET_PRODUCTION_FINGERPRINTS_FILE (a staging worker does not start without them)"
        )
    }

    @Test func fingerprintsOfTheWrongEnvironmentAreRefused() throws {
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile)
        let settings = try WorkerSettings.fromEnvironment(Self.stagingEnvironment)
        let problems = WorkerIsolationGuard(productionFingerprints: IsolationFingerprints(of: staging)).problems(settings)
        #expect(problems == ["the fingerprints describe 'staging'; expected production's"])
    }

    @Test func productionWorkerNeedsNoFingerprintsButItsOwnFolder() throws {
        var environment = Self.stagingEnvironment
        environment["CLIPNET_ENVIRONMENT"] = "production"
        environment["CLOUDINARY_FOLDER"] = "prod_clips/"
        try WorkerIsolationGuard(productionFingerprints: nil).check(try WorkerSettings.fromEnvironment(environment))
        environment["CLOUDINARY_FOLDER"] = "staging_clips/"
        #expect(
            WorkerIsolationGuard(productionFingerprints: nil).problems(try WorkerSettings.fromEnvironment(environment)) == [
                "CLOUDINARY_FOLDER 'staging_clips/' is not the production folder; expected 'prod_clips/'"
            ])
    }

    @Test func guardReadsProductionFingerprintsFromTheEnvironmentVariable() throws {
        var environment = Self.stagingEnvironment
        environment["CLIPNET_PRODUCTION_FINGERPRINTS"] = try Fixtures.productionFingerprints().jsonString()
        environment["REDIS_URL"] = "redis://redis-prod.railway.internal:6379"
        let workerGuard = try WorkerIsolationGuard.fromEnvironment(environment)
        #expect(workerGuard.problems(try WorkerSettings.fromEnvironment(environment)).count == 1)
    }

    @Test func guardReadsProductionFingerprintsFromAFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("production.fingerprints.json")
        try Fixtures.productionFingerprints().jsonData().write(to: URL(fileURLWithPath: path))
        let workerGuard = try WorkerIsolationGuard.fromEnvironment(["CLIPNET_PRODUCTION_FINGERPRINTS_FILE": path])
        #expect(workerGuard.productionFingerprints == (try Fixtures.productionFingerprints()))
    }

    @Test func missingWorkerSettingsAreAllNamed() throws {
        let error = try #require(throws: ConfigError.self) {
            try WorkerSettings.fromEnvironment(["REDIS_URL": "redis://localhost"])
        }
        #expect(
            error.message == "refusing to start: CLIPNET_ENVIRONMENT, CLOUDINARY_FOLDER, RUNPOD_NAMESPACE not set; the isolation guard needs them")
    }
}
