import ClipnetConfig
import ClipnetContracts
import Deployers
import Foundation

/// One look at what the running services report: the API's version endpoint, the worker
/// heartbeats of the given deployments (or the platform's record), and the frontend alias. Shared
/// by the verification of a rollout, a re-point and a rollback.
struct ServiceLook: Sendable {
    var apiVerified: Bool
    var workerVerified: Bool
    /// Nil when the alias was not asked about.
    var aliasVerified: Bool?
    var detail: String

    var backendVerified: Bool { apiVerified && workerVerified }
    var allVerified: Bool { backendVerified && aliasVerified != false }

    static func take(
        revision: String, workerDeployments: Set<String>, frontendDeployment: String?, _ environment: PhaseEnvironment
    ) async throws -> ServiceLook {
        let dependencies = environment.dependencies
        let manifest = environment.manifest
        let api = await dependencies.probes.version(at: manifest.railway.services.api.versionUrl)
        let apiVerified = CommitID.same(api.value, revision)
        let apiText = api.value.map { "the API reports \(CommitID.short($0))" } ?? (api.failure ?? "the API reports nothing")

        let workerVerified: Bool
        let workerText: String
        switch dependencies.settings.workerVersionSource {
        case .heartbeat:
            switch await dependencies.probes.workers(redisURL: environment.preflight.workerRedisURL ?? "", environment: dependencies.environment) {
            case .reported(let fleet):
                (workerVerified, workerText) = WorkerVerification.judge(fleet, revision: revision, deployments: workerDeployments)
            case .failed(let message):
                (workerVerified, workerText) = (false, message)
            }
        case .platform:
            let live = try await environment.platforms.railway.observe(.worker)
            let recorded = live.flatMap { $0.commitSha ?? $0.imageTag }
            workerVerified = live?.status.isSuccess == true && CommitID.same(recorded, revision)
            workerText = "the worker deployment records \(recorded.map(CommitID.short) ?? "nothing") (platform record, no heartbeat check)"
        }

        var aliasVerified: Bool?
        var parts = [apiText, workerText]
        if let frontendDeployment {
            let live = try await environment.platforms.vercel.observe(.frontend)
            aliasVerified = live?.id.rawValue == frontendDeployment
            parts.append("\(manifest.frontend.domain) points at \(live?.id.rawValue ?? "nothing")")
        }
        return ServiceLook(
            apiVerified: apiVerified, workerVerified: workerVerified, aliasVerified: aliasVerified, detail: parts.joined(separator: "; "))
    }
}
