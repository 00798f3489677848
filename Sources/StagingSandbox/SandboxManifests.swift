import ClipnetConfig
import Foundation

/// CLIPNET's shipped manifests, adapted for the sandbox: the staging API's public URL becomes the
/// API simulator's, and the health window is shortened. Base and production are copied verbatim,
/// so the isolation check runs against the real production identifiers.
struct SandboxManifests {
    static let stagingAPI = "https://api.staging.clipnet.ai"

    let baseText: String
    let stagingSourceText: String
    let productionText: String
    let staging: Manifest
    let productionEnvironmentId: String?

    init(directory: String) throws {
        func read(_ name: String) throws -> String {
            guard let text = try ManifestLoader.readFile("\(directory)/\(name)") else {
                throw ConfigError(.invalidManifest, "no \(name) in \(directory): run from the repository root, or pass its deploy/ folder")
            }
            return text
        }
        baseText = try read("base.yaml")
        stagingSourceText = try read("staging.yaml")
        productionText = try read("production.yaml")
        staging = try ManifestLoader.loadFromDisk(environment: "staging", directory: directory).manifest
        productionEnvironmentId = try? ManifestLoader.loadFromDisk(environment: "production", directory: directory).manifest.railway.environmentId
    }

    func stagingText(apiBaseURL: String, healthWindowSeconds: Int, healthIntervalSeconds: Int, frontendTarget: String? = nil) -> String {
        var text = stagingSourceText.replacingOccurrences(of: Self.stagingAPI, with: apiBaseURL)
        if let frontendTarget {
            text = text.replacingOccurrences(of: "\nfrontend:\n  target: staging\n", with: "\nfrontend:\n  target: \(frontendTarget)\n")
        }
        return text + """

            # Sandbox: a short health window so a rollout takes seconds.
            rollout:
              healthWindowSeconds: \(healthWindowSeconds)
              healthIntervalSeconds: \(healthIntervalSeconds)

            """
    }
}
