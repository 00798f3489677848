import ClipnetConfig
import ClipnetContracts
import Deployers
import DriftDetector
import KnownGoodStore

/// Turns what the reconciler knows into the DriftDetector's pure inputs.
enum DriftInputs {
    /// What should run: `target` everywhere, the alias on `target`'s recorded frontend deployment.
    /// While a rollout is in flight, or about to start (the target is not where the environment
    /// settled), every service is being changed by this tool, so revision, alias and variable
    /// differences are its work in progress, not drift.
    static func desired(
        target: String, state: EnvironmentState, preflight: ConfigurationPreflight.Result, observation: Observation,
        expected: ExpectedVariablesCache? = nil
    ) -> DesiredEnvironment {
        let manifest = preflight.resolved.manifest
        let changing = state.rollout?.isActive == true || state.settledRevision != target
        var variables: [ServiceName: [String: ExpectedVariable]] = [:]
        if !changing {
            for service in ServiceName.allCases where observation.variables[service] != nil {
                let compute = { DesiredVariables.expected(service, preflight: preflight, revision: target) }
                variables[service] = expected.map { $0.expected(service, revision: target, compute: compute) } ?? compute()
            }
        }
        return DesiredEnvironment(
            revision: target,
            frontendDeploymentID: state.knownGoodRecord(for: target)?.deployments.frontend,
            domain: manifest.frontend.domain,
            variables: variables,
            topology: [
                .api: manifest.railway.services.api.serviceId, .worker: manifest.railway.services.worker.serviceId,
                .redis: manifest.railway.redis.serviceId, .postgres: manifest.railway.postgres.serviceId,
            ],
            productionFingerprints: preflight.denied.fingerprintSet,
            inFlight: changing ? Set(ServiceName.allCases) : [])
    }

    static func observed(_ observation: Observation) -> ObservedEnvironment {
        let services = ServiceName.allCases.compactMap { name -> ObservedService? in
            guard let seen = observation.services[name], seen.deployment != nil else { return nil }
            return ObservedService(
                role: name, revision: seen.platformRevision,
                versionTag: seen.revisionSource == .platform ? nil : seen.reportedRevision,
                deploymentID: seen.deployment?.id.rawValue, autoDeploy: observation.autoDeploy[name]?.enabled)
        }
        var variables: [ServiceName: [String: LiveVariable]] = [:]
        for (service, list) in observation.variables {
            variables[service] = Dictionary(
                list.map { variable in
                    (
                        variable.key,
                        LiveVariable(
                            fingerprint: variable.valueSHA256.map { "sha256:" + $0 }, identifierFingerprints: variable.identifierFingerprints)
                    )
                }, uniquingKeysWith: { (first: LiveVariable, _: LiveVariable) in first })
        }
        return ObservedEnvironment(
            services: services, aliasDeploymentID: observation.aliasDeploymentID, variables: variables,
            platformServices: observation.topology?.services.map { ObservedPlatformService(id: $0.id, name: $0.name) })
    }

    /// The manifest's policy per kind.
    static func policies(_ manifest: Manifest) -> [DriftKind: DriftPolicy] {
        Dictionary(uniqueKeysWithValues: DriftKind.allCases.map { ($0, manifest.drift[$0]) })
    }
}
