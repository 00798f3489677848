import ClipnetConfig
import ClipnetContracts
import Deployers
import DriftDetector
import Foundation

/// The cheap signals of an environment: what can change without a full observation noticing
/// until its next turn, read in one Railway request.
///
/// Why: a full observation costs eight Railway requests; at one drift check a minute that is 480
/// of Hobby's 1,000 an hour, before any rollout. Between full observations a drift check reads
/// only these and observes in full when one of them moved:
/// - Railway's `configEtag` (one request): variables, sources, auto-deploy and the services of
///   the environment;
/// - the frontend's alias target (Vercel, whose limits are per endpoint and far larger);
/// - the API's own version report and health, and the worker heartbeats (no platform request).
///
/// What it cannot see until the next full observation: a Railway redeploy of the API at the same
/// revision (not a revision drift), a change on a platform without a change token. Those are read
/// within `fullObserveInterval` (docs/platforms.md, "Request budget").
struct QuickLook: Sendable, Equatable {
    var railwayConfiguration: String?
    var frontendDeployment: DeploymentID?
    var apiVersion: String?
    var apiHealthy: Bool
    /// Every live worker as `id version deployment`, sorted.
    var workers: [String]?

    /// The same signals out of a full observation, with the token read just before it.
    init(_ observation: Observation, railwayConfiguration: String?) {
        self.railwayConfiguration = railwayConfiguration
        frontendDeployment = observation.services[.frontend]?.deployment?.id
        apiVersion = observation.services[.api]?.reportedRevision
        apiHealthy = observation.services[.api]?.healthy == true
        workers = observation.workers.map(Self.signature)
    }

    init(railwayConfiguration: String?, frontendDeployment: DeploymentID?, apiVersion: String?, apiHealthy: Bool, workers: [String]?) {
        self.railwayConfiguration = railwayConfiguration
        self.frontendDeployment = frontendDeployment
        self.apiVersion = apiVersion
        self.apiHealthy = apiHealthy
        self.workers = workers
    }

    /// Reads the signals now. Throws when a platform read fails: the caller then observes in full.
    static func read(
        platforms: Platforms, probes: any ServiceProbing, preflight: ConfigurationPreflight.Result, environment: String, readHeartbeats: Bool
    ) async throws -> QuickLook {
        let api = preflight.resolved.manifest.railway.services.api
        let token = try await platforms.railway.configurationChangeToken()
        let frontend = try await platforms.vercel.observe(.frontend)?.id
        let version = await probes.version(at: api.versionUrl).value
        let healthy = await probes.health(at: api.healthUrl).value != nil
        var workers: [String]?
        if readHeartbeats, let redisURL = preflight.workerRedisURL {
            guard let fleet = await probes.workers(redisURL: redisURL, environment: environment).value else {
                throw QuickLookUnavailable()
            }
            workers = signature(fleet)
        }
        return QuickLook(railwayConfiguration: token, frontendDeployment: frontend, apiVersion: version, apiHealthy: healthy, workers: workers)
    }

    private static func signature(_ fleet: WorkerFleet) -> [String] {
        fleet.workers.map { "\($0.id) \($0.version) \($0.deploymentId ?? "-")" }.sorted()
    }
}

/// What the last full observation saw, and of which record and target, so the next drift check
/// can tell whether it may rely on it.
struct ObservationBaseline: Sendable {
    var look: QuickLook
    /// The record's generation and the target when it was taken: any change to either (a pin, a
    /// finished rollout, a heal) needs a full observation.
    var generation: Int64
    var target: String?
    /// The observation and the drift found in it: a drift check that finds the signals unchanged
    /// works on these, so drift found but not yet healed is still healed.
    var observation: Observation
    var drift: [Drift] = []
}

/// A signal could not be read: observe in full.
struct QuickLookUnavailable: Error {}
