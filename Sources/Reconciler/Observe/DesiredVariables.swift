import ClipnetConfig
import ClipnetContracts
import Deployers
import DriftDetector
import Synchronization

/// The variables each service should have at a revision: the manifest's, plus what the
/// reconciler adds itself.
///
/// - `CLIPNET_VERSION` = the revision, on the API and the worker: the version tag both report
///   (the worker's heartbeat reads it), so "same version tag" is a fact set at deploy time.
/// - `CLIPNET_PRODUCTION_FINGERPRINTS` on a non-production worker: what its start-up isolation
///   guard compares its own configuration against.
enum DesiredVariables {
    static let versionVariable = "CLIPNET_VERSION"

    static func of(_ service: ServiceName, preflight: ConfigurationPreflight.Result, revision: String) -> [DesiredVariable] {
        guard let manifestService = ManifestService(rawValue: service.rawValue) else { return [] }
        let declared = preflight.resolved.variables(of: manifestService)
        var variables = declared.map { key, value -> DesiredVariable in
            switch value {
            case .plain(let text): DesiredVariable(key: key, value: text, kind: .plain)
            case .secret: DesiredVariable(key: key, value: value.reveal(), kind: .secret)
            }
        }
        if service != .frontend {
            variables.append(DesiredVariable(key: versionVariable, value: revision, kind: .plain))
        }
        if service == .worker, let fingerprints = preflight.workerFingerprintsVariable {
            variables.append(DesiredVariable(key: fingerprints.name, value: fingerprints.value, kind: .plain))
        }
        return variables.sorted { $0.key < $1.key }
    }

    /// What drift compares: fingerprints only (`sha256:<hex>`), never values.
    static func expected(_ service: ServiceName, preflight: ConfigurationPreflight.Result, revision: String) -> [String: ExpectedVariable] {
        var expected: [String: ExpectedVariable] = [:]
        for variable in of(service, preflight: preflight, revision: revision) {
            // Vercel stores secrets as `sensitive`, which cannot be read back: only presence counts.
            let readable = service != .frontend || variable.kind == .plain
            expected[variable.key] = ExpectedVariable(fingerprint: Fingerprint.of(variable.value), valueReadable: readable)
        }
        return expected
    }
}

/// The expected variables (fingerprints) of the last few revisions: hashing every variable of every
/// service on every pass is the largest cost of a steady-state pass, and they only change with
/// the revision. One cache per reconciler (its secrets are fixed for its life).
final class ExpectedVariablesCache: Sendable {
    private let entries = Mutex<[String: [String: ExpectedVariable]]>([:])
    private let limit = 24

    func expected(_ service: ServiceName, revision: String, compute: () -> [String: ExpectedVariable]) -> [String: ExpectedVariable] {
        let key = "\(revision)/\(service.rawValue)"
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = compute()
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }
}
