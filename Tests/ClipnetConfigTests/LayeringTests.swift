import ClipnetContracts
import Foundation
import Testing

@testable import ClipnetConfig

/// Precedence of `deploy/<environment>.yaml` over `deploy/base.yaml`: mappings merge by key,
/// lists and scalars replace, sources and secret references replace whole.
@Suite struct LayeringTests {
    private func load(staging: String, base: String = Fixtures.base) throws -> LoadedManifest {
        try ManifestLoader.load(
            environment: "staging",
            read: Fixtures.reader([
                "deploy/base.yaml": base, "deploy/staging.yaml": staging,
            ]))
    }

    @Test func mapsMergeByKeyWithTheOverlayWinningPerKey() throws {
        let base = Fixtures.base.replacingOccurrences(
            of: "  repository: clipnet/clipnet\n",
            with: """
                  repository: clipnet/clipnet
                  variables:
                    KEEP: from-base
                    OVERRIDE: from-base

                """)
        let loaded = try load(
            staging: """
                environment: staging
                frontend:
                  variables:
                    OVERRIDE: from-staging
                    ADD: from-staging
                """, base: base)
        #expect(
            loaded.manifest.frontend.variables == [
                "KEEP": .plain("from-base"), "OVERRIDE": .plain("from-staging"), "ADD": .plain("from-staging"),
            ])
    }

    @Test func nestedMappingsMergeAtEveryLevel() throws {
        let loaded = try load(
            staging: """
                environment: staging
                railway:
                  services:
                    api:
                      healthUrl: https://api.staging.clipnet.ai/ready
                """)
        let api = loaded.manifest.railway.services.api
        #expect(api.healthUrl == "https://api.staging.clipnet.ai/ready")
        #expect(api.versionUrl == "https://api.staging.clipnet.ai/version")
        #expect(api.serviceId == "a6d852d2-2ab1-4347-b21a-c145b4eeabdf")
    }

    @Test func scalarsReplace() throws {
        let loaded = try load(
            staging: """
                environment: staging
                rollout:
                  healthWindowSeconds: 600
                """)
        #expect(loaded.manifest.rollout.healthWindowSeconds == 600)
        #expect(loaded.manifest.rollout.healthIntervalSeconds == 10)
    }

    @Test func listsReplaceRatherThanConcatenate() throws {
        let shape = Shape.map(MapShape(summary: "test", keyRule: .text, value: .variableValue))
        let base = try #require(ConfigNode.parse("items: [a, b]\nother: x\n", file: "base").node)
        let overlay = try #require(ConfigNode.parse("items: [c]\n", file: "overlay").node)
        let merged = Layering.merge(base, overlay, shape: shape)
        guard case .sequence(let items)? = merged["items"]?.kind else {
            Issue.record("items is not a list")
            return
        }
        #expect(items.compactMap(\.scalarText) == ["c"])
        #expect(merged["other"]?.scalarText == "x")
        #expect(merged["items"]?.location.file == "overlay")
    }

    @Test func aServiceSourceIsReplacedWholeNotMerged() throws {
        let base = Fixtures.base.replacingOccurrences(
            of: "      source: {repo: clipnet/clipnet}\n      url:",
            with: "      source: {repo: clipnet/clipnet, rootDirectory: services/api}\n      url:"
        )
        let loaded = try load(
            staging: """
                environment: staging
                railway:
                  services:
                    api:
                      source:
                        image: ghcr.io/clipnet/api
                """, base: base)
        #expect(loaded.manifest.railway.services.api.source == .image("ghcr.io/clipnet/api"))
    }

    @Test func aSecretReferenceAndAPlainValueReplaceEachOther() throws {
        let base = Fixtures.base.replacingOccurrences(
            of: "  repository: clipnet/clipnet\n",
            with: """
                  repository: clipnet/clipnet
                  variables:
                    TOKEN: {secret: BASE_TOKEN}
                    MODE: plain

                """)
        let loaded = try load(
            staging: """
                environment: staging
                frontend:
                  variables:
                    TOKEN: not-a-secret-anymore
                    MODE: {secret: STAGING_MODE}
                """, base: base)
        #expect(loaded.manifest.frontend.variables["TOKEN"] == .plain("not-a-secret-anymore"))
        #expect(loaded.manifest.frontend.variables["MODE"] == .secret(SecretReference(name: "STAGING_MODE")))
    }

    @Test func positionsFollowTheWinningFile() throws {
        let loaded = try load(
            staging: """
                environment: staging
                cloudinary:
                  folder: staging_clips/
                """)
        #expect(loaded.location(of: "cloudinary.folder")?.description == "deploy/staging.yaml:3:11")
        #expect(loaded.location(of: "cloudinary.cloudName")?.description == "deploy/base.yaml:27:14")
    }

    @Test func theShippedProductionManifestReplacesTheBaseRepoSourcesWithImages() throws {
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile)
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile)
        #expect(production.manifest.railway.services.worker.source == .image("ghcr.io/clipnet/worker"))
        #expect(staging.manifest.railway.services.worker.source == .repo("clipnet/clipnet", rootDirectory: "services/worker"))
        #expect(production.manifest.drift[.variables] == .report)
        #expect(staging.manifest.drift[.variables] == .heal)
        #expect(production.manifest.railway.services.worker.variables["LOG_FORMAT"] == .plain("json"))
        #expect(production.manifest.railway.services.worker.variables["WORKER_CONCURRENCY"] == .plain("8"))
        #expect(staging.manifest.railway.services.worker.variables["WORKER_CONCURRENCY"] == .plain("4"))
    }

    @Test func aManifestWithoutABaseFileStandsAlone() throws {
        let loaded = try ManifestLoader.load(
            environment: "staging",
            read: Fixtures.reader([
                "deploy/staging.yaml": "environment: staging\n" + Fixtures.base
            ]))
        #expect(loaded.files == ["deploy/staging.yaml"])
    }
}
