import Foundation
import Testing

@testable import ClipnetConfig

/// Every kind of validation error, with its exact message and position. Each case is a short
/// `deploy/staging.yaml` layered over `Fixtures.base` (valid on its own), so positions are small.
@Suite struct ValidationErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let staging: String
        var base: String? = Fixtures.base
        let expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown key",
            staging: """
                environment: staging
                frontend:
                  projectID: prj_u8jzPde0IgxLd6GncfBAepfJBd0K
                """,
            expected: [
                "deploy/staging.yaml:3:3: unknown key 'projectID' in frontend; expected one of: teamId, projectId, projectName, domain, target, repository, rootDirectory, variables"
            ]),
        Case(
            name: "unknown top-level key",
            staging: """
                environment: staging
                enviroment: production
                """,
            expected: [
                "deploy/staging.yaml:2:1: unknown key 'enviroment' in the manifest; expected one of: version, environment, frontend, railway, cloudinary, runpod, oauth, drift, rollout"
            ]),
        Case(
            name: "integer where a string is expected",
            staging: """
                environment: staging
                frontend:
                  projectName: 42
                """,
            expected: [
                "deploy/staging.yaml:3:16: frontend.projectName: expected a string (a Vercel project name, e.g. clipnet-web), found an integer (42); quote the value to make it a string"
            ]),
        Case(
            name: "string where a mapping is expected",
            staging: """
                environment: staging
                cloudinary: staging_clips/
                """,
            expected: [
                "deploy/staging.yaml:2:13: cloudinary: expected a mapping (the Cloudinary account and folder), found a string"
            ]),
        Case(
            name: "string where a boolean is expected",
            staging: """
                environment: staging
                railway:
                  services:
                    api:
                      autoDeploy: "no"
                """,
            expected: [
                "deploy/staging.yaml:5:19: railway.services.api.autoDeploy: expected true or false, found a string"
            ]),
        Case(
            name: "list where a mapping is expected",
            staging: """
                environment: staging
                runpod:
                  models: [whisper, clip]
                """,
            expected: [
                "deploy/staging.yaml:3:11: runpod.models: expected a mapping (model paths by model name), found a list"
            ]),
        Case(
            name: "null where a string is expected",
            staging: """
                environment: staging
                frontend:
                  teamId: ~
                """,
            expected: [
                "deploy/staging.yaml:3:11: frontend.teamId: expected a string (a Vercel team id, e.g. team_4kQ9x2LmN7pR), found null"
            ]),
        Case(
            name: "empty value where a string is expected",
            staging: """
                environment: staging
                frontend:
                  teamId:
                """,
            expected: [
                "deploy/staging.yaml:3:10: frontend.teamId: expected a string (a Vercel team id, e.g. team_4kQ9x2LmN7pR), found null"
            ]),
        Case(
            name: "missing required key, reported where the overlay opens the mapping",
            staging: """
                environment: staging
                frontend:
                  domain: staging.clipnet.ai
                """, base: Fixtures.base.replacingOccurrences(of: "  projectId: prj_u8jzPde0IgxLd6GncfBAepfJBd0K\n", with: ""),
            expected: [
                "deploy/staging.yaml:3:3: frontend: missing required key 'projectId' (the Vercel project id); expected a string (a Vercel project id, e.g. prj_8Hc2LkWq9ZtYb3Rn)"
            ]),
        Case(
            name: "missing required key, reported in the base when only the base has the mapping",
            staging: """
                environment: staging
                """, base: Fixtures.base.replacingOccurrences(of: "  projectId: prj_u8jzPde0IgxLd6GncfBAepfJBd0K\n", with: ""),
            expected: [
                "deploy/base.yaml:3:3: frontend: missing required key 'projectId' (the Vercel project id); expected a string (a Vercel project id, e.g. prj_8Hc2LkWq9ZtYb3Rn)"
            ]),
        Case(
            name: "missing required top-level key",
            staging: """
                version: 1
                """,
            expected: [
                "deploy/staging.yaml:1:1: the manifest: missing required key 'environment' (the environment this manifest describes; must match the file name); expected a string (a lowercase environment name, e.g. staging)"
            ]),
        Case(
            name: "malformed domain",
            staging: """
                environment: staging
                frontend:
                  domain: staging..clipnet.ai
                """,
            expected: [
                "deploy/staging.yaml:3:11: frontend.domain: 'staging..clipnet.ai' is not a valid domain name; expected a lowercase domain name, e.g. staging.clipnet.ai"
            ]),
        Case(
            name: "domain with capitals",
            staging: """
                environment: staging
                frontend:
                  domain: Staging.ClipNet.ai
                """,
            expected: [
                "deploy/staging.yaml:3:11: frontend.domain: 'Staging.ClipNet.ai' is not a valid domain name; expected a lowercase domain name, e.g. staging.clipnet.ai"
            ]),
        Case(
            name: "malformed URL",
            staging: """
                environment: staging
                railway:
                  services:
                    api:
                      healthUrl: https//api.staging.clipnet.ai/healthz
                """,
            expected: [
                "deploy/staging.yaml:5:18: railway.services.api.healthUrl: is not a valid URL; expected an absolute https or http URL with a host, e.g. https://api.staging.clipnet.ai/healthz"
            ]),
        Case(
            name: "URL with a scheme that is not allowed",
            staging: """
                environment: staging
                railway:
                  services:
                    api:
                      versionUrl: ftp://api.staging.clipnet.ai/version
                """,
            expected: [
                "deploy/staging.yaml:5:19: railway.services.api.versionUrl: is not a valid URL; expected an absolute https or http URL with a host, e.g. https://api.staging.clipnet.ai/healthz"
            ]),
        Case(
            name: "folder not ending with a slash",
            staging: """
                environment: staging
                cloudinary:
                  folder: staging_clips
                """,
            expected: [
                "deploy/staging.yaml:3:11: cloudinary.folder: 'staging_clips' does not end with '/'; expected a Cloudinary folder ending with '/', e.g. staging_clips/"
            ]),
        Case(
            name: "folder of another environment",
            staging: """
                environment: staging
                cloudinary:
                  folder: prod_clips/
                """,
            expected: [
                "deploy/staging.yaml:3:11: cloudinary.folder: 'prod_clips/' is not the staging folder; expected 'staging_clips/'"
            ]),
        Case(
            name: "duplicate service",
            staging: """
                environment: staging
                railway:
                  services:
                    worker:
                      serviceId: a6d852d2-2ab1-4347-b21a-c145b4eeabdf
                """,
            expected: [
                "deploy/staging.yaml:5:18: railway.services.worker.serviceId: duplicate service: the same Railway service as railway.services.api (deploy/base.yaml:12:18); expected a distinct service id"
            ]),
        Case(
            name: "value not in the enumeration",
            staging: """
                environment: staging
                drift:
                  revision: fix
                """,
            expected: [
                "deploy/staging.yaml:3:13: drift.revision: 'fix' is not allowed; expected one of: heal, report"
            ]),
        Case(
            name: "integer out of range",
            staging: """
                environment: staging
                rollout:
                  healthWindowSeconds: 4000
                """,
            expected: [
                "deploy/staging.yaml:3:24: rollout.healthWindowSeconds: 4000 is out of range; expected an integer from 0 to 3600"
            ]),
        Case(
            name: "health interval longer than the window",
            staging: """
                environment: staging
                rollout:
                  healthIntervalSeconds: 300
                """,
            expected: [
                "deploy/staging.yaml:3:26: rollout.healthIntervalSeconds: 300 is longer than rollout.healthWindowSeconds (120); expected at most 120"
            ]),
        Case(
            name: "unsupported format version",
            staging: """
                environment: staging
                version: 2
                """,
            expected: [
                "deploy/staging.yaml:2:10: version: 2 is out of range; expected 1"
            ]),
        Case(
            name: "environment that does not match the file",
            staging: """
                environment: production
                """,
            expected: [
                "deploy/staging.yaml:1:14: environment: 'production' does not match the manifest file deploy/staging.yaml; expected 'staging'"
            ]),
        Case(
            name: "source naming both a repo and an image",
            staging: """
                environment: staging
                railway:
                  services:
                    worker:
                      source: {repo: clipnet/clipnet, image: ghcr.io/clipnet/worker}
                """,
            expected: [
                "deploy/staging.yaml:5:15: railway.services.worker.source: expected exactly one of 'repo' or 'image', found both"
            ]),
        Case(
            name: "source naming neither a repo nor an image",
            staging: """
                environment: staging
                railway:
                  services:
                    worker:
                      source: {rootDirectory: services/worker}
                """,
            expected: [
                "deploy/staging.yaml:5:15: railway.services.worker.source: expected exactly one of 'repo' or 'image', found neither"
            ]),
        Case(
            name: "secret reference with a misspelt key",
            staging: """
                environment: staging
                railway:
                  redis:
                    url: {secrets: STAGING_REDIS_URL}
                """,
            expected: [
                "deploy/staging.yaml:4:10: railway.redis.url: missing required key 'secret' (the name of the environment variable or secrets-file key); expected a string (an environment variable name of letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL)",
                "deploy/staging.yaml:4:11: unknown key 'secrets' in railway.redis.url; expected one of: secret",
            ]),
        Case(
            name: "plain value where a secret reference is required",
            staging: """
                environment: staging
                railway:
                  redis:
                    url: redis://redis-staging.railway.internal:6379
                """,
            expected: [
                "deploy/staging.yaml:4:10: railway.redis.url: expected a secret reference {secret: NAME}, found a string"
            ]),
        Case(
            name: "secret reference with an invalid name",
            staging: """
                environment: staging
                railway:
                  redis:
                    url: {secret: staging-redis}
                """,
            expected: [
                "deploy/staging.yaml:4:19: railway.redis.url.secret: 'staging-redis' is not valid; expected an environment variable name of letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL"
            ]),
        Case(
            name: "invalid variable name",
            staging: """
                environment: staging
                frontend:
                  variables:
                    next-public-api: https://api.staging.clipnet.ai
                """,
            expected: [
                "deploy/staging.yaml:4:5: invalid key 'next-public-api' in frontend.variables; expected an environment variable name of letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL"
            ]),
        Case(
            name: "plain URL with a password",
            staging: """
                environment: staging
                railway:
                  services:
                    worker:
                      variables:
                        REDIS_URL: redis://default:hunter2@redis-staging.railway.internal:6379
                """,
            expected: [
                "deploy/staging.yaml:6:20: railway.services.worker.variables.REDIS_URL: a URL with a password must be a secret reference {secret: NAME}, not plain text"
            ]),
        Case(
            name: "variable that disagrees with the structured value",
            staging: """
                environment: staging
                railway:
                  services:
                    worker:
                      variables:
                        CLOUDINARY_FOLDER: other_clips/
                """,
            expected: [
                "deploy/staging.yaml:6:28: railway.services.worker.variables.CLOUDINARY_FOLDER: 'other_clips/' differs from cloudinary.folder; expected 'staging_clips/'"
            ]),
        Case(
            name: "malformed UUID",
            staging: """
                environment: staging
                railway:
                  projectId: 76715A37
                """,
            expected: [
                "deploy/staging.yaml:3:14: railway.projectId: '76715A37' is not valid; expected a lowercase UUID, e.g. 4f5c2d1e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"
            ]),
        Case(
            name: "errors in both files are all reported, base first",
            staging: """
                environment: staging
                drift:
                  alias: fix
                """, base: Fixtures.base.replacingOccurrences(of: "projectName: clipnet-web", with: "projectName: Clipnet_Web"),
            expected: [
                "deploy/base.yaml:4:16: frontend.projectName: 'Clipnet_Web' is not valid; expected a Vercel project name, e.g. clipnet-web",
                "deploy/staging.yaml:3:10: drift.alias: 'fix' is not allowed; expected one of: heal, report",
            ]),
    ]

    @Test(arguments: cases)
    func validationErrorHasExactMessageAndPosition(_ testCase: Case) throws {
        let evaluation = try Fixtures.evaluate(staging: testCase.staging, base: testCase.base)
        #expect(evaluation.diagnostics.map(\.description) == testCase.expected)
        #expect(evaluation.manifest == nil)
        #expect(!evaluation.diagnostics.contains { $0.message.contains("hunter2") })
    }

    @Test func duplicateYAMLKeyIsReportedWithItsPosition() throws {
        let evaluation = try Fixtures.evaluate(
            staging: """
                environment: staging
                cloudinary:
                  folder: staging_clips/
                  folder: staging_clips/
                """)
        #expect(
            evaluation.diagnostics.map(\.description) == [
                "deploy/staging.yaml:3:3: duplicate key 'folder' in one mapping; expected each key once"
            ])
        #expect(evaluation.diagnostics.first?.code == .duplicateKey)
    }

    @Test(arguments: [
        (
            "environment: staging\nfrontend: [unclosed\n",
            "deploy/staging.yaml:3:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"
        ),
        (
            "environment: staging\nfrontend:\n  teamId: x\n   bad: 1\n",
            "deploy/staging.yaml:4:7: invalid YAML: mapping values are not allowed in this context"
        ),
        (
            "environment: staging\n\tfrontend: x\n",
            "deploy/staging.yaml:2:1: invalid YAML: while scanning a plain scalar found a tab character that violates indentation"
        ),
    ])
    func yamlSyntaxErrorIsReportedWithItsPosition(text: String, expected: String) throws {
        let evaluation = try Fixtures.evaluate(staging: text)
        #expect(evaluation.diagnostics.map(\.description) == [expected])
        #expect(evaluation.diagnostics.first?.code == .syntax)
    }

    @Test func documentThatIsNotAMappingIsReported() throws {
        let evaluation = try Fixtures.evaluate(staging: "- staging\n- production\n")
        #expect(
            evaluation.diagnostics.map(\.description) == [
                "deploy/staging.yaml:1:1: the manifest: expected a mapping (a CLIPNET environment manifest), found a list"
            ])
    }

    @Test func missingEnvironmentFileIsReported() throws {
        let evaluation = try ManifestLoader.evaluate(
            environment: "staging", read: Fixtures.reader(["deploy/base.yaml": Fixtures.base])
        )
        #expect(
            evaluation.diagnostics.map(\.description) == [
                "deploy/staging.yaml: no manifest for environment 'staging'; expected this file"
            ])
    }

    @Test func loadThrowsAnInvalidManifestErrorCarryingEveryDiagnostic() throws {
        let files = ["deploy/base.yaml": Fixtures.base, "deploy/staging.yaml": "environment: staging\ndrift:\n  alias: fix\n  topology: mend\n"]
        let error = try #require(throws: ConfigError.self) {
            try ManifestLoader.load(environment: "staging", read: Fixtures.reader(files))
        }
        #expect(error.code == .invalidManifest)
        #expect(error.diagnostics.count == 2)
        #expect(error.description.contains("deploy/staging.yaml:4:13: drift.topology: 'mend' is not allowed"))
    }

    @Test func invalidEnvironmentNameIsRefusedBeforeReading() throws {
        let error = try #require(throws: ConfigError.self) {
            try ManifestLoader.load(
                environment: "../etc",
                read: { _ in
                    Issue.record("read called")
                    return nil
                })
        }
        #expect(error.code == .invalidEnvironment)
    }

    @Test func diagnosticsOfTheSameKindAreAllCollected() throws {
        let evaluation = try Fixtures.evaluate(
            staging: """
                environment: staging
                frontend:
                  domain: bad..domain
                  projectName: 7
                railway:
                  projectId: nope
                """)
        #expect(evaluation.diagnostics.map(\.location.line) == [3, 4, 6])
        #expect(evaluation.diagnostics.map(\.code) == [.invalidValue, .wrongType, .invalidValue])
    }
}
