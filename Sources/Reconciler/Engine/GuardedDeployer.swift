import ClipnetContracts
import Deployers
import Foundation

/// A platform client that asks before every change. The daemon's passes check that this replica
/// still leads (the store's fence) before each deploy, cancel, re-point, variable write or
/// auto-deploy switch, so a leader deposed mid-pass sends no further change; a plan refuses every
/// change outright. Reads pass straight through.
struct GuardedDeployer: PlatformDeployer {
    let base: any PlatformDeployer
    /// Throws to refuse the change (`ReconcileError.stalled(.notLeader)`, or a plan's refusal).
    let check: @Sendable (_ operation: String) async throws -> Void

    var platform: Platform { base.platform }
    var services: Set<ServiceName> { base.services }
    var buildsStayOffDomains: Bool { base.buildsStayOffDomains }

    func observe(_ service: ServiceName) async throws -> ObservedDeployment? { try await base.observe(service) }
    func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try await base.deployment(id, of: service)
    }
    func variables(of service: ServiceName) async throws -> [ObservedVariable] { try await base.variables(of: service) }
    func topology() async throws -> PlatformTopology { try await base.topology() }
    func autoDeploy(of service: ServiceName) async throws -> AutoDeployState { try await base.autoDeploy(of: service) }
    // The capabilities with protocol defaults must be forwarded too, or the defaults (unknown,
    // nil) would hide what the platform says.
    func rollbackReadiness(of id: DeploymentID, service: ServiceName) async throws -> RollbackReadiness {
        try await base.rollbackReadiness(of: id, service: service)
    }
    func deploymentCreatedByRollback(of service: ServiceName, since: Date?) async throws -> ObservedDeployment? {
        try await base.deploymentCreatedByRollback(of: service, since: since)
    }
    func configurationChangeToken() async throws -> String? { try await base.configurationChangeToken() }
    func failureLog(of deployment: ObservedDeployment, service: ServiceName, limit: Int) async throws -> [String] {
        try await base.failureLog(of: deployment, service: service, limit: limit)
    }
    func platformSteps(of deployment: ObservedDeployment, service: ServiceName) async throws -> [PlatformStep] {
        try await base.platformSteps(of: deployment, service: service)
    }

    func deploy(_ request: DeployRequest) async throws -> DeploymentID {
        try await check("deploy \(request.service)")
        return try await base.deploy(request)
    }
    func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try await check("cancel \(service) \(id)")
        return try await base.cancel(id, of: service)
    }
    func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID {
        try await check("re-point \(service)")
        return try await base.repoint(service, to: id, reapplying: variables)
    }
    func upsertVariables(_ variables: [DesiredVariable], for service: ServiceName) async throws {
        try await check("write the variables of \(service)")
        try await base.upsertVariables(variables, for: service)
    }
    func disableAutoDeploy(for service: ServiceName) async throws -> AutoDeployState {
        try await check("switch off auto-deploy of \(service)")
        return try await base.disableAutoDeploy(for: service)
    }
}

extension Platforms {
    /// Both platforms behind `check`.
    func guarded(by check: @escaping @Sendable (_ operation: String) async throws -> Void) -> Platforms {
        Platforms(vercel: GuardedDeployer(base: vercel, check: check), railway: GuardedDeployer(base: railway, check: check))
    }
}
