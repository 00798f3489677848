import Deployers
import DriftDetector
import Foundation
import KnownGoodStore

/// The steady state: the environment is at its target; drift the manifest says to heal is put
/// back, the rest is reported. Revision, version skew and alias drift re-point the service at the
/// target's known-good deployment; variable and isolation drift re-apply the manifest's
/// variables; auto-deploy drift switches the platform's own deploy-on-push off. Topology drift
/// cannot be healed by this tool (it would mean creating or deleting services): it is reported.
struct HealDriftStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "healDrift" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard context.activeRollout == nil, let target = context.target, context.state.settledRevision == target,
              let preflight = context.preflight, let platforms = context.platforms else {
            return .done(reason: context.blockedBy ?? "nothing to do")
        }
        guard !context.drift.isEmpty else { return .done(reason: "in sync at \(short(target))") }
        // Every platform already serves the target: a version the services report differently is
        // a restart not yet visible in their version endpoint or heartbeat, and re-pointing would
        // change nothing.
        let platformsAtTarget = [ServiceName.api, .worker].allSatisfy {
            sameRevision(context.observation?.services[$0]?.platformRevision, target)
        }
        let policies = DriftInputs.policies(preflight.resolved.manifest)
        let (heal, report) = DriftDetector.partition(context.drift, policies: policies)
        for item in report { context.note("report", item.service, "\(item.kind.rawValue): \(item.detail)") }
        guard !heal.isEmpty else { return .done(reason: "\(report.count) drift item(s) reported") }
        guard !heal.allSatisfy({ $0.kind == .versionSkew }) || !platformsAtTarget else {
            return .done(reason: "version skew reported; the platforms already serve \(short(target))")
        }

        let record = context.state.knownGoodRecord(for: target)
        let repointer = Repointer(dependencies: dependencies, platforms: platforms)
        var repoint: Set<ServiceName> = []
        var reapply: Set<ServiceName> = []
        var autoDeploy: Set<ServiceName> = []
        for item in heal {
            let service = item.service.flatMap(ServiceName.init(rawValue:))
            switch item.kind {
            case .revision, .alias: if let service { repoint.insert(service) }
            case .versionSkew where platformsAtTarget:
                context.note("report", nil, "versionSkew: \(item.detail) (both run \(short(target)) by the platform's records; waiting for them to report it)")
            case .versionSkew: repoint.formUnion([.api, .worker])
            case .variables, .isolation: if let service { reapply.insert(service) }
            case .autoDeploy: if let service { autoDeploy.insert(service) }
            case .topology: context.note("report", item.service, "topology: \(item.detail) (cannot be healed by re-applying; a person must fix the project)")
            }
        }
        if context.dryRun {
            for service in repoint.sorted(by: { $0.rawValue < $1.rawValue }) {
                context.note("heal", service.rawValue, "re-point to known-good deployment \(record?.deployments[service] ?? "(none recorded)")")
            }
            for service in reapply.subtracting(repoint).sorted(by: { $0.rawValue < $1.rawValue }) {
                context.note("heal", service.rawValue, "re-apply the manifest's variables")
            }
            for service in autoDeploy.sorted(by: { $0.rawValue < $1.rawValue }) {
                context.note("heal", service.rawValue, "switch the platform's auto-deploy off")
            }
            return .done(reason: "plan only")
        }

        var done: [String] = []
        do {
            for service in [ServiceName.api, .worker, .frontend] where repoint.contains(service) {
                guard let deployment = record?.deployments[service] else {
                    done.append("\(service): no known-good deployment recorded, cannot re-point")
                    continue
                }
                let variables = DesiredVariables.of(service, preflight: preflight, revision: target)
                done.append(try await repointer.repoint(service, to: deployment, revision: target, variables: variables))
            }
            for service in [ServiceName.frontend, .api, .worker] where reapply.contains(service) && !repoint.contains(service) {
                try await platforms.deployer(for: service).upsertVariables(DesiredVariables.of(service, preflight: preflight, revision: target), for: service)
                done.append("\(service) variables re-applied")
            }
            for service in [ServiceName.api, .worker, .frontend] where autoDeploy.contains(service) {
                let state = try await platforms.deployer(for: service).disableAutoDeploy(for: service)
                done.append(state.enabled == false ? "\(service) auto-deploy switched off" : "\(service) auto-deploy: \(state.detail)")
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ReconcileError.transient(.platformUnavailable, "healing drift: \(RolloutProgress.message(error))")
        }
        for item in heal { ReconcilerMetrics.driftHealed(item.kind) }
        let entry = HistoryEntry(
            at: Date(), kind: .driftHealed, revision: target, by: "reconciler",
            reason: heal.map(\.description).joined(separator: "; "), detail: done.joined(separator: "; "))
        context.state = try await StoreAccess.update(context.store, dependencies.environment) { _ in [entry] }
        dependencies.logger.warning("Drift healed", metadata: [
            "revision": "\(target)", "drift": "\(heal.map(\.description).joined(separator: "; "))", "actions": "\(done.joined(separator: "; "))",
        ])
        for line in done { context.did("heal", nil, line) }
        return .done(reason: "healed \(heal.count) drift item(s)\(report.isEmpty ? "" : "; \(report.count) reported")")
    }
}
