public import ClipnetContracts

/// Pure comparison of what should run with what runs. No I/O, no clock, no randomness: the same
/// inputs always give the same drift list, in a stable order (kind, then service, then detail).
///
/// Drift caused by an operator action through this tool never shows up here, because the
/// operator's choice is already the desired state (a pin or a rollback changes `revision` and
/// `frontendDeploymentID`), and services the tool is changing right now are listed in
/// `desired.inFlight`.
public enum DriftDetector {
    public static func detect(desired: DesiredEnvironment, observed: ObservedEnvironment) -> [Drift] {
        var drift: [Drift] = []
        drift += revisionDrift(desired, observed)
        drift += versionSkew(desired, observed)
        drift += aliasDrift(desired, observed)
        drift += variableDrift(desired, observed)
        drift += topologyDrift(desired, observed)
        drift += autoDeployDrift(observed)
        drift += isolationDrift(desired, observed)
        return drift.sorted { ($0.kind, $0.service ?? "", $0.detail) < ($1.kind, $1.service ?? "", $1.detail) }
    }

    /// Splits drift by the manifest's policy for its kind; kinds without a policy are reported.
    public static func partition(_ drift: [Drift], policies: [DriftKind: DriftPolicy]) -> (heal: [Drift], report: [Drift]) {
        var heal: [Drift] = []
        var report: [Drift] = []
        for item in drift {
            if policies[item.kind] == .heal, item.healable { heal.append(item) } else { report.append(item) }
        }
        return (heal, report)
    }

    // MARK: - Kinds

    static func revisionDrift(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        ServiceName.allCases.compactMap { role in
            guard !desired.inFlight.contains(role) else { return nil }
            guard let service = observed.services.first(where: { $0.role == role }) else {
                return Drift(kind: .revision, service: role.rawValue, detail: "no live deployment found; desired \(CommitID.short(desired.revision))")
            }
            guard let revision = service.revision else {
                return Drift(
                    kind: .revision, service: role.rawValue,
                    detail: "the platform does not report which revision runs; desired \(CommitID.short(desired.revision))")
            }
            guard !CommitID.same(revision, desired.revision) else { return nil }
            return Drift(
                kind: .revision, service: role.rawValue, detail: "runs \(CommitID.short(revision)), desired \(CommitID.short(desired.revision))")
        }
    }

    static func versionSkew(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        guard !desired.inFlight.contains(.api), !desired.inFlight.contains(.worker),
            let api = observed.services.first(where: { $0.role == .api }),
            let worker = observed.services.first(where: { $0.role == .worker })
        else { return [] }
        var drift: [Drift] = []
        if let apiRevision = api.revision, let workerRevision = worker.revision, !CommitID.same(apiRevision, workerRevision) {
            drift.append(
                Drift(
                    kind: .versionSkew, service: nil,
                    detail: "api runs \(CommitID.short(apiRevision)) but worker runs \(CommitID.short(workerRevision))"))
        }
        if let apiTag = api.versionTag, let workerTag = worker.versionTag, !CommitID.same(apiTag, workerTag) {
            drift.append(
                Drift(
                    kind: .versionSkew, service: nil,
                    detail: "api reports version \(CommitID.short(apiTag)) but worker reports \(CommitID.short(workerTag))"))
        }
        return drift
    }

    static func aliasDrift(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        guard !desired.inFlight.contains(.frontend), let expected = desired.frontendDeploymentID else { return [] }
        guard let actual = observed.aliasDeploymentID else {
            return [
                Drift(kind: .alias, service: ServiceName.frontend.rawValue, detail: "\(desired.domain) points at no deployment; desired \(expected)")
            ]
        }
        guard actual != expected else { return [] }
        return [Drift(kind: .alias, service: ServiceName.frontend.rawValue, detail: "\(desired.domain) points at \(actual), desired \(expected)")]
    }

    static func variableDrift(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        var drift: [Drift] = []
        for role in ServiceName.allCases {
            guard let expected = desired.variables[role] else { continue }
            let live = observed.variables[role] ?? [:]
            for name in expected.keys.sorted() {
                guard let variable = live[name] else {
                    drift.append(Drift(kind: .variables, service: role.rawValue, detail: "missing \(name)"))
                    continue
                }
                let want = expected[name]!
                if want.valueReadable, let fingerprint = variable.fingerprint, fingerprint != want.fingerprint {
                    drift.append(Drift(kind: .variables, service: role.rawValue, detail: "changed \(name)"))
                }
            }
            for name in live.keys.sorted() where expected[name] == nil {
                drift.append(Drift(kind: .variables, service: role.rawValue, detail: "extra \(name)", healable: false))
            }
        }
        return drift
    }

    static func topologyDrift(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        guard let services = observed.platformServices else { return [] }
        var drift: [Drift] = []
        let expectedIDs = Set(desired.topology.values)
        for kind in PlatformServiceKind.allCases {
            guard let id = desired.topology[kind] else {
                drift.append(Drift(kind: .topology, service: kind.rawValue, detail: "the spec names no \(kind.rawValue) service"))
                continue
            }
            if !services.contains(where: { $0.id == id }) {
                drift.append(Drift(kind: .topology, service: kind.rawValue, detail: "the \(kind.rawValue) service \(id) is missing from the project"))
            }
        }
        for service in services where !expectedIDs.contains(service.id) {
            drift.append(
                Drift(
                    kind: .topology, service: service.name,
                    detail: "unexpected service '\(service.name)' (\(service.id)): the project must hold exactly one api, worker, redis and postgres")
            )
        }
        return drift
    }

    static func autoDeployDrift(_ observed: ObservedEnvironment) -> [Drift] {
        observed.services.filter { $0.autoDeploy == true }.map {
            Drift(kind: .autoDeploy, service: $0.role.rawValue, detail: "the platform's own auto-deploy is on and would deploy behind the reconciler")
        }
    }

    static func isolationDrift(_ desired: DesiredEnvironment, _ observed: ObservedEnvironment) -> [Drift] {
        guard !desired.productionFingerprints.isEmpty else { return [] }
        var drift: [Drift] = []
        for role in ServiceName.allCases {
            for (name, variable) in (observed.variables[role] ?? [:]).sorted(by: { $0.key < $1.key }) {
                var fingerprints = variable.identifierFingerprints
                if let fingerprint = variable.fingerprint { fingerprints.insert(fingerprint) }
                if !fingerprints.isDisjoint(with: desired.productionFingerprints) {
                    drift.append(Drift(kind: .isolation, service: role.rawValue, detail: "variable \(name) names a production resource"))
                }
            }
        }
        return drift
    }
}
