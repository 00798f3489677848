import Foundation

@testable import ClipnetConfig

/// Shared test data: the package's own manifests, a small complete base for error cases, and
/// secret values that include the canary.
enum Fixtures {
    /// The package root, found from this file's path (Tests/ClipnetConfigTests/Fixtures.swift).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var deployDirectory: String { packageRoot + "/deploy" }

    /// Reads `deploy/<name>` of the package, by the repository-relative path the loader asks for.
    static func shippedFile(_ path: String) -> String? {
        try? ManifestLoader.readFile(packageRoot + "/" + path)
    }

    /// A reader over in-memory files.
    static func reader(_ files: [String: String]) -> (String) throws -> String? {
        { files[$0] }
    }

    /// The shipped files with some text replaced; fails loudly if a replacement does not apply.
    static func shipped(replacing replacements: [(file: String, old: String, new: String)]) -> [String: String] {
        var files: [String: String] = [:]
        for name in ["base", "staging", "production"] {
            let path = "deploy/\(name).yaml"
            files[path] = shippedFile(path)
        }
        for replacement in replacements {
            let text = files[replacement.file] ?? ""
            precondition(text.contains(replacement.old), "fixture text not found: \(replacement.old)")
            files[replacement.file] = text.replacingOccurrences(of: replacement.old, with: replacement.new)
        }
        return files
    }

    /// A complete, valid manifest for staging without the `environment` key, so short overlays
    /// in `deploy/staging.yaml` can carry one error each at a known line.
    static let base = """
        version: 1
        frontend:
          projectId: prj_u8jzPde0IgxLd6GncfBAepfJBd0K
          projectName: clipnet-web
          domain: staging.clipnet.ai
          repository: clipnet/clipnet
        railway:
          projectId: 76715a37-c6e8-4a85-b4a4-21c359878442
          environmentId: 6702bb87-fc88-41d1-a3f0-296789fc206d
          services:
            api:
              serviceId: a6d852d2-2ab1-4347-b21a-c145b4eeabdf
              source: {repo: clipnet/clipnet}
              url: https://api.staging.clipnet.ai
              healthUrl: https://api.staging.clipnet.ai/healthz
              versionUrl: https://api.staging.clipnet.ai/version
            worker:
              serviceId: a073a8be-0d0b-47c5-8035-29da2dbb3932
              source: {repo: clipnet/clipnet}
          redis:
            serviceId: bca21425-4dc7-4a53-9248-31a284d11509
            url: {secret: STAGING_REDIS_URL}
          postgres:
            serviceId: cebdc4ed-e925-491a-ae14-48da1be261bc
            url: {secret: STAGING_DATABASE_URL}
        cloudinary:
          cloudName: clipnet
          folder: staging_clips/
        runpod:
          endpointId: xtplpft75v2seh
          namespace: clipnet-staging
          models:
            whisper: /runpod-volume/staging/whisper-large-v3
        drift:
          revision: heal
          versionSkew: heal
          alias: heal
          variables: heal
          topology: report
          autoDeploy: heal
          isolation: report
        rollout:
          deployTimeoutSeconds: 1800
          healthWindowSeconds: 120
          healthIntervalSeconds: 10

        """

    /// Evaluates `staging` over `base` (both in memory).
    static func evaluate(staging: String, base: String? = Fixtures.base) throws -> ManifestEvaluation {
        var files = ["deploy/staging.yaml": staging]
        if let base { files["deploy/base.yaml"] = base }
        return try ManifestLoader.evaluate(environment: "staging", read: reader(files))
    }

    /// Values of the shipped manifests' secrets. Production's credentials contain the canary.
    static let stagingSecrets: [String: String] = [
        "STAGING_REDIS_URL": "redis://default:staging-redis-pw@redis-staging.railway.internal:6379/0",
        "STAGING_DATABASE_URL": "postgresql://postgres:staging-pg-pw@postgres-staging.railway.internal:5432/railway",
        "STAGING_CLIPBOT_CLIENT_SECRET": "staging-oauth-secret-4b7e",
        "STAGING_NEXTAUTH_SECRET": "staging-nextauth-9c2d",
        "RUNPOD_API_KEY": "rp_shared_key_51aa",
        "CLOUDINARY_URL": "cloudinary://1234:shared-cloudinary-secret@clipnet",
    ]

    static let productionSecrets: [String: String] = [
        "PROD_REDIS_URL": "redis://default:\(Canary.value)@redis-prod.railway.internal:6379/0",
        "PROD_DATABASE_URL": "postgresql://postgres:\(Canary.value)@postgres-prod.railway.internal:5432/railway",
        "PROD_CLIPBOT_CLIENT_ID": "clipbot-prod-93b1d7",
        "PROD_CLIPBOT_CLIENT_SECRET": Canary.value,
        "PROD_NEXTAUTH_SECRET": "prod-nextauth-\(Canary.value)",
        "RUNPOD_API_KEY": "rp_shared_key_51aa",
        "CLOUDINARY_URL": "cloudinary://1234:shared-cloudinary-secret@clipnet",
    ]

    static func secrets(_ values: [String: String]) -> [String: SecretValue] {
        Dictionary(uniqueKeysWithValues: values.map { ($0.key, SecretValue(name: $0.key, value: $0.value)) })
    }

    /// Production's fingerprints from the shipped manifest with its secrets resolved.
    static func productionFingerprints() throws -> IsolationFingerprints {
        let production = try ManifestLoader.load(environment: "production", read: shippedFile)
        let resolved = try SecretResolver.resolve(production, from: SecretStore(environment: productionSecrets))
        return IsolationFingerprints(of: resolved)
    }
}

/// A secret value that must never appear in any output of the suite.
enum Canary {
    static let value = "CANARY-q7Zx1-never-print-me"

    /// Whether `text` leaks the canary (also percent-encoded or inside JSON escaping).
    static func leaks(_ text: String) -> Bool {
        text.contains(value) || text.contains("q7Zx1")
    }
}
