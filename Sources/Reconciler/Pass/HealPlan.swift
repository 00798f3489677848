import ClipnetContracts
import Deployers
import DriftDetector
import KnownGoodStore

/// What drift healing would do about the drift of one pass, decided without I/O: which services
/// go back to the known-good deployments (a re-point rollout), which get their variables
/// re-applied or their auto-deploy switched off, and what is only reported.
struct HealPlan: Sendable {
    /// A heal of the same drift that did not take effect is not repeated for this long.
    static let repeatAfterSeconds: Double = 900

    var reported: [(service: String?, detail: String)] = []
    var repoint: [ServiceName] = []
    var repointDrift: [Drift] = []
    var reapply: [ServiceName] = []
    var autoDeploy: [ServiceName] = []
    var healedDirectly: [Drift] = []
    var summary: String

    var acts: Bool { !repoint.isEmpty || !reapply.isEmpty || !autoDeploy.isEmpty }

    /// Identifies the drift being healed, to notice a heal that did not take effect.
    var signature: String {
        (repointDrift + healedDirectly).map(\.description).sorted().joined(separator: "; ")
    }

    init(drift: [Drift], policies: [DriftKind: DriftPolicy], observation: Observation?, target: String, record: KnownGoodRecord?) {
        // Every platform already serves the target: a version the services report differently is
        // a restart not yet visible in their version endpoint or heartbeat, and re-pointing would
        // change nothing.
        let platformsAtTarget = [ServiceName.api, .worker].allSatisfy { CommitID.same(observation?.services[$0]?.platformRevision, target) }
        let (heal, report) = DriftDetector.partition(drift, policies: policies)
        for item in report {
            reported.append(
                (
                    item.service,
                    "\(item.kind.rawValue): \(item.detail)" + (item.healable ? "" : " (reported: re-applying the manifest cannot remove it)")
                ))
        }
        summary = "\(report.count) drift item(s) reported"
        guard !heal.isEmpty else { return }
        if heal.allSatisfy({ $0.kind == .versionSkew }) && platformsAtTarget {
            for item in heal {
                reported.append(
                    (nil, "versionSkew: \(item.detail) (both run \(CommitID.short(target)) by the platform's records; waiting for them to report it)")
                )
            }
            summary = "version skew reported; the platforms already serve \(CommitID.short(target))"
            return
        }
        var repointSet: Set<ServiceName> = []
        var reapplySet: Set<ServiceName> = []
        var autoDeploySet: Set<ServiceName> = []
        for item in heal {
            let service = item.service.flatMap(ServiceName.init(rawValue:))
            switch item.kind {
            case .revision, .alias:
                if let service {
                    repointSet.insert(service)
                    repointDrift.append(item)
                }
            case .versionSkew where platformsAtTarget:
                reported.append(
                    (nil, "versionSkew: \(item.detail) (both run \(CommitID.short(target)) by the platform's records; waiting for them to report it)")
                )
            case .versionSkew:
                repointSet.formUnion(ServiceName.backend)
                repointDrift.append(item)
            case .variables, .isolation:
                if let service {
                    reapplySet.insert(service)
                    healedDirectly.append(item)
                }
            case .autoDeploy:
                if let service {
                    autoDeploySet.insert(service)
                    healedDirectly.append(item)
                }
            case .topology:
                reported.append((item.service, "topology: \(item.detail) (cannot be healed by re-applying; a person must fix the project)"))
            }
        }
        for service in repointSet where record?.deployments[service] == nil {
            reported.append((service.rawValue, "\(service): no known-good deployment recorded for \(CommitID.short(target)), cannot re-point"))
            repointSet.remove(service)
        }
        if repointSet.isEmpty { repointDrift = [] }
        let order: [ServiceName] = [.api, .worker, .frontend]
        repoint = order.filter(repointSet.contains)
        reapply = order.filter { reapplySet.contains($0) && !repointSet.contains($0) }
        autoDeploy = order.filter(autoDeploySet.contains)
        summary = acts ? "healing \(repointDrift.count + healedDirectly.count) drift item(s)" : "\(reported.count) drift item(s) reported"
    }
}
