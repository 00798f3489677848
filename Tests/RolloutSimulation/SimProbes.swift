public import ClipnetConfig
import ClipnetContracts
import ClipnetFormats
import Deployers
import Foundation
public import Reconciler
import Synchronization

/// What the running services report in the simulation: the API reports the revision it serves
/// (and fails its health URL when that revision's fate says so); workers heartbeat from every
/// serving worker deployment, and for a little while from a replaced one (draining). The
/// worker's Cloudinary folder always exists: it is status information and never steers a rollout.
public struct SimProbes: ServiceProbing {
    let world: SimWorld

    public func version(at url: String) async -> ProbeResult<String> {
        if let stuck = world.contents.withLock({ $0.versionReport }) { return .reported(stuck) }
        guard let revision = world.servingRevision(.api) else { return .failed("the API does not answer") }
        return .reported(revision)
    }

    public func health(at url: String) async -> ProbeResult<Int> {
        guard let revision = world.servingRevision(.api) else { return .failed("the API does not answer") }
        return world.fates(revision) == .healthFails ? .failed("health answered 503") : .reported(200)
    }

    public func workers(redisURL: String, environment: String) async -> ProbeResult<WorkerFleet> {
        let now = world.clock.now
        let sightings = world.deployments.filter { $0.service == .worker }.compactMap { deployment -> WorkerSighting? in
            let draining = deployment.status == .removed && (deployment.removedAt.map { now.timeIntervalSince($0) < 15 } ?? false)
            guard deployment.status == .ready || draining, let ready = deployment.readyAt else { return nil }
            return WorkerSighting(
                id: "\(deployment.id)-1", version: deployment.revision, heartbeatAt: RFC3339.string(from: now),
                startedAt: RFC3339.string(from: ready), deploymentId: world.heartbeatsNameDeployment ? deployment.id : nil)
        }
        return .reported(WorkerFleet(workers: sightings, queueDepth: 0, deadJobs: 0))
    }

    public func cloudinaryFolder(_ folder: String, account: CloudinaryAccount) async -> ProbeResult<CloudinaryFolderState> {
        .reported(.exists)
    }
}
