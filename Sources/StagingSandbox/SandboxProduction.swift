import ClipnetConfig
import Foundation
public import PlatformEmulators

/// Production beside the sandbox's staging, for a second daemon (`environment: production`):
/// the emulated Railway project's production environment, the Vercel project's production
/// target, an API simulator answering for production's deployments, and the daemon's file and
/// environment. It follows the promotion branch of the sandbox's origin, so only what staging's
/// `reconciler promote` pushed reaches it.
///
/// Its manifests live in `sandbox/production/` of the repository (commit `files`): CLIPNET's
/// `production.yaml` with the API's URLs pointed at the simulator and a short health window,
/// beside the sandbox's own `base.yaml` and `staging.yaml`. `deploy/` keeps the real production
/// identifiers for staging's isolation check; production's check reads staging's manifest and,
/// through `CLIPNET_STAGING_FINGERPRINTS`, staging's secret-backed identifiers: both directions.
public struct SandboxProduction: Sendable {
    /// Where production's manifests are in the repository.
    public static let manifestDirectory = "sandbox/production"
    static let productionAPI = "https://api.clipnet.ai"

    public let apps: StagingAppSimulator
    public let appsServer: EmulatorServer
    /// The Railway environment production deploys to.
    public let environmentId: String
    /// Production's domain on Vercel (`app.clipnet.ai`).
    public let domain: String
    /// The files to commit (and push) before production's daemon starts.
    public let files: [String: String]
    /// The production daemon's environment: the sandbox's tokens and emulator URLs, production's
    /// secrets (values of their own) and staging's fingerprints.
    public let environment: [String: String]
    public let stateDirectory: String

    /// Starts production's API simulator and works out production's manifests, secrets and
    /// staging's fingerprints from what the sandbox committed. `productionSecrets` replaces
    /// generated secret values (a test naming staging's database, say).
    public static func start(
        beside sandbox: StagingSandbox, healthWindowSeconds: Int = 0, healthIntervalSeconds: Int = 1,
        productionSecrets: [String: String] = [:]
    ) async throws -> SandboxProduction {
        let deploy = sandbox.repository.path + "/deploy"
        let shipped = try ManifestLoader.loadFromDisk(environment: "production", directory: deploy).manifest
        let apps = StagingAppSimulator(
            railway: sandbox.railway, apiServiceId: shipped.railway.services.api.serviceId, environmentId: shipped.railway.environmentId)
        let appsServer = try await apps.start()
        sandbox.cloudinary.createFolder(EnvironmentConventions.cloudinaryFolder(for: "production").trimmingCharacters(in: ["/"]))

        var production = try sandbox.repository.read("deploy/production.yaml").replacingOccurrences(
            of: productionAPI, with: appsServer.baseURL + "/api")
        production = production.replacingOccurrences(
            of: "\nrollout:\n  healthWindowSeconds: 300\n",
            with: "\n# Sandbox: a short health window so a rollout takes seconds.\nrollout:\n"
                + "  healthWindowSeconds: \(healthWindowSeconds)\n  healthIntervalSeconds: \(healthIntervalSeconds)\n")
        let files = [
            "\(manifestDirectory)/base.yaml": try sandbox.repository.read("deploy/base.yaml"),
            "\(manifestDirectory)/staging.yaml": try sandbox.repository.read("deploy/staging.yaml"),
            "\(manifestDirectory)/production.yaml": production,
        ]

        // Production's secrets: values of their own (a Redis and a database staging never names).
        let loaded = try ManifestLoader.load(environment: "production", directory: manifestDirectory) { path in
            files[path]
        }
        var environment = sandbox.environment
        for reference in loaded.manifest.secretReferences.map(\.reference.name) where environment[reference] == nil || reference.hasPrefix("PROD_") {
            environment[reference] = StagingSandbox.secretValue(
                for: reference, redisURL: "redis://127.0.0.1:6398/1", database: "clipnet_production_sandbox")
        }
        environment.merge(productionSecrets) { $1 }
        // Staging's secret-backed identifiers, as `reconciler validate --write-fingerprints` writes them.
        let staging = try ManifestLoader.loadFromDisk(environment: "staging", directory: deploy)
        let fingerprints = IsolationFingerprints(of: try SecretResolver.resolve(staging, from: SecretStore(environment: sandbox.environment)))
        environment["CLIPNET_STAGING_FINGERPRINTS"] = fingerprints.jsonString()

        let stateDirectory = sandbox.root + "/production-state"
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        return SandboxProduction(
            apps: apps, appsServer: appsServer, environmentId: shipped.railway.environmentId, domain: shipped.frontend.domain, files: files,
            environment: environment, stateDirectory: stateDirectory)
    }

    /// Production's daemon file: the same binary, `environment: production`, following the
    /// promotion branch (its default) of `origin`.
    public func daemonConfiguration(origin: String, pollInterval: String = "200ms") -> String {
        """
        # A reconciler for the sandbox's production (made by SandboxProduction).
        environment: production
        repository:
          url: \(origin)
          manifestDirectory: \(Self.manifestDirectory)
          pollInterval: \(pollInterval)
        state: file:\(stateDirectory)
        listen: 127.0.0.1:0
        \(StagingSandbox.reconcileSection(workerVersionSource: "platform"))

        """
    }

    /// The revision production's API runs (its image's tag).
    public var apiRevision: String? { apps.runningRevision }

    public func stop() async {
        await appsServer.stop()
    }
}
