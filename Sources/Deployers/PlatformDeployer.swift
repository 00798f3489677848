public import ClipnetContracts
public import Foundation

/// One platform's deployment operations, as the reconciler drives them (docs/reconciler.md, "The
/// rollout state machine"): observe, deploy, wait, re-point (rollback without rebuild), variables, topology
/// and the platform's own auto-deploy.
///
/// Every call is safe to repeat: `deploy` finds the deployment an earlier attempt of the same
/// rollout created, re-pointing and upserts converge. Errors are `DeployerError` (or
/// `CancellationError` when the task is cancelled).
public protocol PlatformDeployer: Sendable {
    var platform: Platform { get }
    /// The services this deployer manages (Vercel: frontend; Railway: api and worker).
    var services: Set<ServiceName> { get }
    /// Whether a finished build stays off the environment's domains until `repoint` moves them,
    /// so it may be built while the backend still deploys (docs/reconciler.md, "The frontend
    /// builds beside the backend"). Default: false, a build may go live by itself.
    var buildsStayOffDomains: Bool { get }

    /// What `service` runs now: the deployment serving traffic (Vercel: the alias target; Railway:
    /// the newest SUCCESS deployment, else the newest one), or nil when there is none.
    func observe(_ service: ServiceName) async throws -> ObservedDeployment?

    /// One deployment's current state.
    func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment

    /// Starts a deployment of `request.service` at `request.revision` and returns its id at once;
    /// returns the existing deployment's id instead when this rollout (Vercel) or this revision
    /// (Railway) already has a deployment that has not failed.
    func deploy(_ request: DeployRequest) async throws -> DeploymentID

    /// Stops a deployment that is still building or starting (a hung build past the wait's
    /// deadline): Vercel `PATCH /v12/deployments/{id}/cancel`, Railway `deploymentCancel(id)`.
    /// - Returns: the deployment's state afterwards.
    func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment

    /// Makes `service` serve the existing deployment `id` again without rebuilding (Vercel: assign
    /// the alias; Railway: `deploymentRollback`), then re-applies `variables` without deploying,
    /// because a Railway rollback also restores that deployment's old variables.
    /// - Returns: the deployment now serving (Railway creates a new one for a rollback).
    func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID

    /// The variables of `service`, values hashed (never held in clear).
    func variables(of service: ServiceName) async throws -> [ObservedVariable]

    /// Creates or updates `variables` on `service` without triggering a deployment.
    func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws

    /// The project with its services and environments.
    func topology() async throws -> PlatformTopology

    /// Whether the platform deploys `service` by itself on push.
    func autoDeploy(of service: ServiceName) async throws -> AutoDeployState

    /// Switches the platform's own deploy-on-push off for `service` where the API allows; returns
    /// the resulting state (unchanged, with guidance in `detail`, where it does not).
    func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState

    // MARK: Capabilities with defaults (conformers that cannot tell keep compiling)

    /// Whether `service` can be re-pointed to deployment `id` without a rebuild (Railway
    /// `canRollback`; Vercel: the deployment still exists and is READY). One request.
    /// Default: `.unknown`.
    func rollbackReadiness(of id: DeploymentID, service: ServiceName) async throws -> RollbackReadiness

    /// The deployment a rollback created for `service` (Railway: the newest deployment of the
    /// service whose `meta.reason` is `rollback`, created at or after `since`); nil where a
    /// re-point creates no deployment (Vercel) or none is found. Default: nil.
    func deploymentCreatedByRollback(of service: ServiceName, since: Date?) async throws -> ObservedDeployment?

    /// A cheap token that changes whenever the platform's configuration of this environment
    /// changes (Railway `Environment.configEtag`): one request instead of reading everything.
    /// nil where the platform has none. Default: nil.
    func configurationChangeToken() async throws -> String?

    /// The last `limit` lines of a failed deployment's log, oldest first, as the platform sent
    /// them (not scrubbed: the caller knows every secret): Vercel's build events, Railway's
    /// build log, or its runtime log for a deployment that built and then crashed. Default: none.
    func failureLog(of deployment: ObservedDeployment, service: ServiceName, limit: Int) async throws -> [String]

    /// The platform's own timing of a deployment's steps (Vercel's queue and build, Railway's
    /// deployment events), for the rollout timeline. Default: none.
    func platformSteps(of deployment: ObservedDeployment, service: ServiceName) async throws -> [PlatformStep]
}

extension PlatformDeployer {
    public var buildsStayOffDomains: Bool { false }

    public func rollbackReadiness(of id: DeploymentID, service: ServiceName) async throws -> RollbackReadiness { .unknown() }

    public func deploymentCreatedByRollback(of service: ServiceName, since: Date?) async throws -> ObservedDeployment? { nil }

    public func configurationChangeToken() async throws -> String? { nil }

    public func failureLog(of deployment: ObservedDeployment, service: ServiceName, limit: Int) async throws -> [String] { [] }

    public func platformSteps(of deployment: ObservedDeployment, service: ServiceName) async throws -> [PlatformStep] { [] }
}
