import Foundation
import Testing

@testable import ClipnetConfig

/// Every isolation violation: each production resource named by staging, directly and through
/// a resolved secret, and the URL spellings that normalise to the same endpoint.
@Suite struct IsolationPolicyTests {
    /// Loads the shipped staging manifest with `replacements`, resolves it with staging's secrets
    /// plus `extraSecrets`, and checks it against production's fingerprints.
    static func stagingViolations(
        _ replacements: [(old: String, new: String)] = [],
        secrets extraSecrets: [String: String] = [:]
    ) throws -> [IsolationViolation] {
        let files = Fixtures.shipped(replacing: replacements.map { ("deploy/staging.yaml", $0.old, $0.new) })
        let loaded = try ManifestLoader.load(environment: "staging", read: Fixtures.reader(files))
        let store = SecretStore(environment: Fixtures.stagingSecrets.merging(extraSecrets) { _, new in new })
        let resolved = try SecretResolver.resolve(loaded, from: store)
        let policy = IsolationPolicy(environment: "staging", denied: try Fixtures.productionFingerprints())
        return policy.violations(in: resolved)
    }

    static let injectionPoint = "        CORS_ORIGIN: https://staging.clipnet.ai"

    struct Injection: CustomTestStringConvertible, Sendable {
        let resource: IsolationResource
        let value: String
        var testDescription: String { "\(resource.rawValue)" }
    }

    /// A value of each production resource, spelled differently from production's own manifest
    /// and secrets where the resource has spellings.
    static let injections: [Injection] = [
        Injection(resource: .redis, value: "rediss://REDIS-PROD.railway.internal/0"),
        Injection(resource: .postgres, value: "postgres://postgres-prod.railway.internal/railway"),
        Injection(resource: .oauthClientSecret, value: Canary.value),
        Injection(resource: .oauthClientId, value: "clipbot-prod-93b1d7"),
        Injection(resource: .apiUrl, value: "https://API.clipnet.ai:443/v1/clips"),
        Injection(resource: .cloudinaryFolder, value: "prod_clips/"),
        Injection(resource: .cloudinaryFolder, value: "prod_clips/2026/uploads"),
        Injection(resource: .runpodNamespace, value: "clipnet-prod"),
        Injection(resource: .runpodModelPath, value: "/runpod-volume/prod/whisper-large-v3/"),
        Injection(resource: .frontendDomain, value: "app.clipnet.ai"),
    ]

    @Test(arguments: injections)
    func plainVariableNamingAProductionResourceIsAViolation(_ injection: Injection) throws {
        let violations = try Self.stagingViolations([(Self.injectionPoint, "        INJECTED: \(injection.value)")])
        #expect(
            violations.map(\.description) == [
                "deploy/staging.yaml:23:19: railway.services.api.variables.INJECTED: staging names production's \(injection.resource.phrase); expected a staging resource"
            ])
        #expect(violations.first?.resource == injection.resource)
        #expect(violations.first?.owner == "production")
        let json = String(decoding: try JSONEncoder().encode(violations), as: UTF8.self)
        #expect(json.contains(#""message":"railway.services.api.variables.INJECTED: staging names production's"#))
        #expect(!Canary.leaks(json))
        #expect(!violations.map(\.description).contains(where: Canary.leaks))
    }

    @Test(arguments: injections)
    func secretResolvingToAProductionResourceIsAViolation(_ injection: Injection) throws {
        let value =
            injection.resource == .redis || injection.resource == .postgres
            ? injection.value.replacingOccurrences(of: "://", with: "://user:\(Canary.value)@")
            : injection.value
        let violations = try Self.stagingViolations(
            [(Self.injectionPoint, "        INJECTED: {secret: INJECTED_SECRET}")],
            secrets: ["INJECTED_SECRET": value]
        )
        #expect(
            violations.map(\.description) == [
                "deploy/staging.yaml:23:19: railway.services.api.variables.INJECTED through secret INJECTED_SECRET: staging names production's \(injection.resource.phrase); expected a staging resource"
            ])
        #expect(violations.first?.secret == "INJECTED_SECRET")
        #expect(!violations.map(\.description).contains(where: Canary.leaks))
    }

    struct FieldCase: CustomTestStringConvertible, Sendable {
        let name: String
        var replacements: [(old: String, new: String)] = []
        var secrets: [String: String] = [:]
        let expected: [(IsolationResource, String, String?)]
        var testDescription: String { name }
    }

    static let fieldCases: [FieldCase] = [
        FieldCase(
            name: "Redis through its secret",
            secrets: [
                "STAGING_REDIS_URL": "rediss://:\(Canary.value)@Redis-Prod.Railway.Internal.:6379/0/"
            ],
            expected: [
                (.redis, "railway.services.api.variables.REDIS_URL", "STAGING_REDIS_URL"),
                (.redis, "railway.services.worker.variables.REDIS_URL", "STAGING_REDIS_URL"),
                (.redis, "railway.redis.url", "STAGING_REDIS_URL"),
            ]),
        FieldCase(
            name: "PostgreSQL through its secret",
            secrets: [
                "STAGING_DATABASE_URL": "postgres://railway:\(Canary.value)@POSTGRES-PROD.railway.internal"
            ],
            expected: [
                (.postgres, "railway.services.api.variables.DATABASE_URL", "STAGING_DATABASE_URL"),
                (.postgres, "railway.services.worker.variables.DATABASE_URL", "STAGING_DATABASE_URL"),
                (.postgres, "railway.postgres.url", "STAGING_DATABASE_URL"),
            ]),
        FieldCase(
            name: "OAuth client secret through its secret",
            secrets: [
                "STAGING_CLIPBOT_CLIENT_SECRET": Canary.value
            ],
            expected: [
                (.oauthClientSecret, "railway.services.api.variables.CLIPBOT_CLIENT_SECRET", "STAGING_CLIPBOT_CLIENT_SECRET"),
                (.oauthClientSecret, "railway.services.worker.variables.CLIPBOT_CLIENT_SECRET", "STAGING_CLIPBOT_CLIENT_SECRET"),
                (.oauthClientSecret, "oauth.clipbot.clientSecret", "STAGING_CLIPBOT_CLIENT_SECRET"),
            ]),
        FieldCase(
            name: "OAuth client id written in the manifest",
            replacements: [
                ("clipbot-staging-5f1c2e9a", "clipbot-prod-93b1d7")
            ],
            expected: [
                (.oauthClientId, "railway.services.api.variables.CLIPBOT_CLIENT_ID", nil),
                (.oauthClientId, "railway.services.worker.variables.CLIPBOT_CLIENT_ID", nil),
                (.oauthClientId, "oauth.clipbot.clientId", nil),
            ]),
        FieldCase(
            name: "production API URL",
            replacements: [
                ("https://api.staging.clipnet.ai", "https://API.clipnet.ai")
            ],
            expected: [
                (.apiUrl, "frontend.variables.NEXT_PUBLIC_API_URL", nil),
                (.apiUrl, "railway.services.api.healthUrl", nil),
                (.apiUrl, "railway.services.api.url", nil),
                (.apiUrl, "railway.services.api.versionUrl", nil),
            ]),
        FieldCase(
            name: "RunPod namespace",
            replacements: [
                ("clipnet-staging", "clipnet-prod")
            ],
            expected: [
                (.runpodNamespace, "railway.services.worker.variables.RUNPOD_NAMESPACE", nil),
                (.runpodNamespace, "runpod.namespace", nil),
            ]),
        FieldCase(
            name: "RunPod model path",
            replacements: [
                ("/runpod-volume/staging/whisper-large-v3", "/runpod-volume/prod/whisper-large-v3")
            ],
            expected: [
                (.runpodModelPath, "railway.services.worker.variables.RUNPOD_MODEL_WHISPER", nil),
                (.runpodModelPath, "runpod.models.whisper", nil),
            ]),
        FieldCase(
            name: "frontend domain",
            replacements: [
                ("  domain: staging.clipnet.ai", "  domain: app.clipnet.ai")
            ],
            expected: [
                (.frontendDomain, "frontend.domain", nil)
            ]),
    ]

    @Test(arguments: fieldCases)
    func stagingFieldNamingAProductionResourceIsAViolation(_ testCase: FieldCase) throws {
        let violations = try Self.stagingViolations(testCase.replacements, secrets: testCase.secrets)
        let found = violations.map { "\($0.resource.rawValue) \($0.subject) \($0.secret ?? "-")" }.sorted()
        let expected = testCase.expected.map { "\($0.0.rawValue) \($0.1) \($0.2 ?? "-")" }.sorted()
        #expect(found == expected)
        #expect(violations.allSatisfy { $0.location?.file.hasPrefix("deploy/") == true })
        #expect(!violations.map(\.description).contains(where: Canary.leaks))
    }

    @Test func shippedStagingHasNoViolationsAndTheSharedRunPodEndpointIsAllowed() throws {
        #expect(try Self.stagingViolations() == [])
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile).manifest
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile).manifest
        #expect(production.runpod.endpointId == staging.runpod.endpointId)
    }

    @Test func productionNamingAStagingResourceIsAViolationToo() throws {
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile)
        let stagingResolved = try SecretResolver.resolve(staging, from: SecretStore(environment: Fixtures.stagingSecrets))
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        var secrets = Fixtures.productionSecrets
        secrets["PROD_REDIS_URL"] = Fixtures.stagingSecrets["STAGING_REDIS_URL"]
        let resolved = try SecretResolver.resolve(production, from: SecretStore(environment: secrets))
        let policy = IsolationPolicy(environment: "production", denied: IsolationFingerprints(of: stagingResolved))
        let violations = policy.violations(in: resolved)
        #expect(violations.count == 3)
        #expect(violations.allSatisfy { $0.resource == .redis && $0.environment == "production" && $0.owner == "staging" })
        #expect(
            violations.contains {
                $0.description
                    == "deploy/production.yaml:48:10: railway.redis.url through secret PROD_REDIS_URL: production names staging's Redis (host, port, database); expected a production resource"
            })
    }

    @Test func checkThrowsAnIsolationErrorWithOneDiagnosticPerViolation() throws {
        let files = Fixtures.shipped(replacing: [("deploy/staging.yaml", "clipnet-staging", "clipnet-prod")])
        let loaded = try ManifestLoader.load(environment: "staging", read: Fixtures.reader(files))
        let resolved = try SecretResolver.resolve(loaded, from: SecretStore(environment: Fixtures.stagingSecrets))
        let policy = IsolationPolicy(environment: "staging", denied: try Fixtures.productionFingerprints())
        let error = try #require(throws: ConfigError.self) { try policy.check(resolved) }
        #expect(error.code == .isolationViolation)
        #expect(error.message == "the staging manifest names production resources (2)")
        #expect(error.diagnostics.allSatisfy { $0.code == .isolation })
    }

    struct Spelling: CustomTestStringConvertible, Sendable {
        let resource: IsolationResource
        let spelling: String
        let sameEndpoint: Bool
        var testDescription: String { spelling }
    }

    /// Production: Redis `redis://default:…@redis-prod.railway.internal:6379/0`, PostgreSQL
    /// `postgresql://postgres:…@postgres-prod.railway.internal:5432/railway`, API `https://api.clipnet.ai`.
    static let spellings: [Spelling] = [
        Spelling(resource: .redis, spelling: "rediss://redis-prod.railway.internal:6379/0", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "REDIS://REDIS-PROD.RAILWAY.INTERNAL:6379/0", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "redis://redis-prod.railway.internal", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "redis://redis-prod.railway.internal/", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "redis://:other@redis-prod.railway.internal:6379/0/", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "redis://redis-prod.railway.internal.:6379/0?timeout=5", sameEndpoint: true),
        Spelling(resource: .redis, spelling: "redis://redis-prod.railway.internal:6379/1", sameEndpoint: false),
        Spelling(resource: .redis, spelling: "redis://redis-prod.railway.internal:6380/0", sameEndpoint: false),
        Spelling(resource: .redis, spelling: "redis://redis-staging.railway.internal:6379/0", sameEndpoint: false),
        Spelling(resource: .postgres, spelling: "postgres://postgres-prod.railway.internal/railway", sameEndpoint: true),
        Spelling(resource: .postgres, spelling: "POSTGRES://Postgres-Prod.railway.internal:5432/railway/", sameEndpoint: true),
        Spelling(
            resource: .postgres, spelling: "postgresql://other:x@postgres-prod.railway.internal:5432/railway?sslmode=require", sameEndpoint: true),
        Spelling(resource: .postgres, spelling: "postgres://railway@postgres-prod.railway.internal", sameEndpoint: true),
        Spelling(resource: .postgres, spelling: "postgres://postgres-prod.railway.internal:5432/railway_staging", sameEndpoint: false),
        Spelling(resource: .postgres, spelling: "postgres://postgres-prod.railway.internal:5433/railway", sameEndpoint: false),
        Spelling(resource: .postgres, spelling: "postgres://postgres@postgres-prod.railway.internal:5432", sameEndpoint: false),
        Spelling(resource: .apiUrl, spelling: "HTTPS://API.CLIPNET.AI", sameEndpoint: true),
        Spelling(resource: .apiUrl, spelling: "https://api.clipnet.ai:443/", sameEndpoint: true),
        Spelling(resource: .apiUrl, spelling: "https://api.clipnet.ai/healthz?full=1", sameEndpoint: true),
        Spelling(resource: .apiUrl, spelling: "http://api.clipnet.ai:80/v1", sameEndpoint: true),
        Spelling(resource: .apiUrl, spelling: "https://api.clipnet.ai./", sameEndpoint: true),
        Spelling(resource: .apiUrl, spelling: "https://api.staging.clipnet.ai", sameEndpoint: false),
        Spelling(resource: .apiUrl, spelling: "https://api.clipnet.ai:8443", sameEndpoint: false),
    ]

    @Test(arguments: spellings)
    func urlSpellingsNormaliseToTheSameEndpoint(_ spelling: Spelling) throws {
        let policy = IsolationPolicy(environment: "staging", denied: try Fixtures.productionFingerprints())
        let violation = policy.violation(for: spelling.spelling, subject: "value", secret: nil, location: nil)
        #expect(violation?.resource == (spelling.sameEndpoint ? spelling.resource : nil))
    }

    @Test func liveVariablesNamingProductionAreReportedByNameOnly() throws {
        let policy = IsolationPolicy(environment: "staging", denied: try Fixtures.productionFingerprints())
        let violations = policy.violations(
            inLive: [
                "REDIS_URL": .value("redis://default:\(Canary.value)@REDIS-PROD.railway.internal:6379"),
                "LOG_FORMAT": .value("json"),
                "CLIPBOT_CLIENT_SECRET": .fingerprint(Fingerprint.of(Canary.value)),
                "NEXTAUTH_SECRET": .fingerprint(Fingerprint.of("staging-nextauth-9c2d")),
                "CLOUDINARY_FOLDER": .value("prod_clips/"),
            ], service: "worker")
        #expect(
            violations.map(\.description) == [
                "live variable CLIPBOT_CLIENT_SECRET of service worker: staging names production's OAuth client secret; expected a staging resource",
                "live variable CLOUDINARY_FOLDER of service worker: staging names production's Cloudinary folder; expected a staging resource",
                "live variable REDIS_URL of service worker: staging names production's Redis (host, port, database); expected a staging resource",
            ])
        #expect(!violations.map(\.description).contains(where: Canary.leaks))
    }
}
