import ClipnetJSON
import HTTPTransport

/// A variable that an earlier version of the reconciler wrote to Vercel's `preview` target for a
/// custom environment (it mapped `staging` to `preview`), where every pull-request preview of the
/// project could read it.
public struct PreviewLeftover: Sendable, Hashable, CustomStringConvertible {
    /// Why the variable is taken to be the reconciler's own.
    public enum Evidence: String, Sendable, Hashable {
        /// Its `comment` is the reconciler's marker naming this environment.
        case managedComment
        /// No comment, and the key, the `plain` type and the value are what the manifest declares.
        case sameValue
        /// No comment, and the key and the `sensitive` type are what the reconciler wrote for a
        /// declared secret; Vercel never returns a sensitive value, so it cannot be compared.
        case sameKeyAndType
    }

    /// The env variable's id (`env_…`).
    public var id: String
    public var key: String
    public var type: String?
    public var evidence: Evidence

    public init(id: String, key: String, type: String?, evidence: Evidence) {
        self.id = id
        self.key = key
        self.type = type
        self.evidence = evidence
    }

    public var description: String { "\(key) (\(type ?? "variable"), \(id), \(evidence.rawValue))" }
}

/// Finding and removing the `preview` variables an earlier version wrote for a custom environment:
/// `reconciler plan` lists them, a one-off command removes them. Only variables whose target is
/// exactly `preview` (no branch, no custom environment) and that match the evidence above are
/// candidates: never a variable the reconciler did not write.
extension VercelDeployer {
    /// The leftovers of `declared` (the frontend's variables in the manifest) in `preview`; empty
    /// when the frontend does not deploy to a custom environment.
    public func previewLeftovers(declared: [DesiredVariable]) async throws -> [PreviewLeftover] {
        guard configuration.target.customEnvironmentSlug != nil else { return [] }
        let wanted = Dictionary(declared.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let marker = managedComment
        return try await listEnv(customEnvironmentID: nil).compactMap { env -> PreviewLeftover? in
            guard let id = env["id"]?.stringValue, let key = env["key"]?.stringValue, env["gitBranch"]?.stringValue == nil,
                Self.targets(of: env) == ["preview"], Self.customEnvironmentIDs(of: env).isEmpty
            else { return nil }
            let type = env["type"]?.stringValue
            let comment = env["comment"]?.stringValue ?? ""
            if comment == marker { return PreviewLeftover(id: id, key: key, type: type, evidence: .managedComment) }
            guard comment.isEmpty, let declared = wanted[key] else { return nil }
            switch (declared.kind, type) {
            case (.plain, "plain"?):
                guard env["value"]?.stringValue.map(VariableHash.sha256) == VariableHash.sha256(declared.value) else { return nil }
                return PreviewLeftover(id: id, key: key, type: type, evidence: .sameValue)
            case (.secret, "sensitive"?):
                return PreviewLeftover(id: id, key: key, type: type, evidence: .sameKeyAndType)
            default:
                return nil
            }
        }.sorted { $0.key < $1.key }
    }

    /// Deletes `leftovers` (`DELETE /v9/projects/{id}/env/{envId}`), each only if it is still a
    /// leftover of `declared` when this runs.
    /// - Returns: the variables deleted.
    @discardableResult
    public func removePreviewLeftovers(_ leftovers: [PreviewLeftover], declared: [DesiredVariable]) async throws -> [PreviewLeftover] {
        let current = Set(try await previewLeftovers(declared: declared).map(\.id))
        var removed: [PreviewLeftover] = []
        for leftover in leftovers where current.contains(leftover.id) {
            do {
                _ = try await call(
                    .delete, "/v9/projects/\(Self.encode(configuration.projectId))/env/\(Self.encode(leftover.id))", operation: "removeEnv"
                )
            } catch let error as DeployerError where error.code == .notFound {
                continue
            }
            removed.append(leftover)
        }
        return removed
    }
}
