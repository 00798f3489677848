import ClipnetConfig
public import ClipnetContracts
import Deployers
import Foundation
public import KnownGoodStore
import Logging

/// Finding (and, when asked, removing) the staging variables an earlier version wrote to Vercel's
/// `preview` target. Only variables `VercelDeployer.previewLeftovers` recognises as the
/// reconciler's own are touched (docs/platforms.md, "Custom environments on Vercel").
extension EnvironmentReconciler {
    /// - Parameter remove: delete what was found; the store's leadership proof comes first, so a
    ///   standby or a deposed leader deletes nothing.
    public func cleanupPreviewVariables(store: any StateStore, remove: Bool) async throws -> PreviewCleanup {
        let state = try await StoreAccess.load(store, environment)
        let desired = DesiredState.resolve(state, head: dependencies.followed()?.hex, branch: dependencies.branch)
        guard let revision = state.settledRevision ?? desired.manifestRevision else {
            throw OperatorError(.unavailable, "no revision to read the manifest from yet (the branch has not been fetched)")
        }
        let preflight = try await ManifestPreflight.run(at: revision, dependencies)
        let platforms = try dependencies.connector.platforms(for: preflight.resolved.manifest)
        guard let vercel = platforms.vercel as? VercelDeployer else {
            return PreviewCleanup(revision: revision, found: [], removed: [], applied: remove)
        }
        let declared = DesiredVariables.of(.frontend, preflight: preflight, revision: revision)
        let found = try await vercel.previewLeftovers(declared: declared)
        var removed: [PreviewLeftover] = []
        if remove, !found.isEmpty {
            try await store.proveLeadership()
            removed = try await vercel.removePreviewLeftovers(found, declared: declared)
            logger.notice(
                "Removed the staging variables an earlier version wrote to Vercel's preview target",
                metadata: [
                    "keys": "\(removed.map(\.key).joined(separator: ","))"
                ])
        }
        return PreviewCleanup(revision: revision, found: found.map(Self.variable), removed: removed.map(Self.variable), applied: remove)
    }

    /// The plan's line about leftovers, or nil when there are none (or they cannot be read).
    func previewLeftoverNote(_ platforms: Platforms, _ preflight: ConfigurationPreflight.Result, revision: String) async -> String? {
        guard let vercel = platforms.vercel as? VercelDeployer,
            let found = try? await vercel.previewLeftovers(declared: DesiredVariables.of(.frontend, preflight: preflight, revision: revision)),
            !found.isEmpty
        else { return nil }
        return "\(found.count) variable(s) an earlier version wrote to Vercel's preview target, readable by every preview deployment: "
            + found.map(\.key).joined(separator: ", ") + " (remove with `reconciler cleanup-preview --apply`, then rotate the secrets among them)"
    }

    private static func variable(_ leftover: PreviewLeftover) -> PreviewCleanup.Variable {
        PreviewCleanup.Variable(key: leftover.key, id: leftover.id, type: leftover.type, evidence: leftover.evidence.rawValue)
    }
}
