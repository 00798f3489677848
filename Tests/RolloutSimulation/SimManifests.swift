import ClipnetConfig
public import Deployers
import Foundation

/// The project's own manifests (`deploy/`), with a value for every secret they reference: what
/// every simulated commit carries.
public struct SimManifests: Sendable {
    public let files: [String: String]
    public let secrets: [String: String]
    public let topology: [PlatformTopology.Resource]
    public let environmentID: String

    public static func load(deployDirectory: String) throws -> SimManifests {
        var files: [String: String] = [:]
        for name in ["base.yaml", "staging.yaml", "production.yaml"] {
            files["deploy/\(name)"] = try String(contentsOfFile: "\(deployDirectory)/\(name)", encoding: .utf8)
        }
        let staging = try ManifestLoader.loadFromDisk(environment: "staging", directory: deployDirectory).manifest
        var secrets: [String: String] = [:]
        for name in staging.secretReferences.map(\.reference.name) {
            if name.hasSuffix("REDIS_URL") {
                secrets[name] = "redis://127.0.0.1:6399/0"
            } else if name.hasSuffix("DATABASE_URL") {
                secrets[name] = "postgresql://clipnet:simulated@127.0.0.1:5439/clipnet_sim"
            } else if name.hasPrefix("CLOUDINARY_URL") {
                secrets[name] = "cloudinary://simulated:simulated-secret@clipnet"
            } else {
                secrets[name] = "simulated-\(name.lowercased())"
            }
        }
        let railway = staging.railway
        let topology: [PlatformTopology.Resource] = [
            .init(id: railway.services.api.serviceId, name: "api"), .init(id: railway.services.worker.serviceId, name: "worker"),
            .init(id: railway.redis.serviceId, name: "redis"), .init(id: railway.postgres.serviceId, name: "postgres"),
        ]
        return SimManifests(files: files, secrets: secrets, topology: topology, environmentID: railway.environmentId)
    }

    /// `deploy/` of this package, found from this file's place in the tree.
    public static var packageDeployDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy").path
    }
}
