import ClipnetConfig
import GitWatch

/// Step 2 (rollout step 1): the manifest at the revision, read from git, validated, secrets
/// resolved and isolation checked, before any platform is touched; then the platform clients for
/// it. A bad manifest, a missing secret or an isolation violation stalls the pass: a person must
/// act, and retrying will not help.
struct PreflightStep: ReconcileStep {
    let dependencies: ReconcilerDependencies
    var name: String { "preflight" }

    func run(_ context: inout PassContext) async throws -> StepOutcome {
        guard let revision = context.manifestRevision else { return .proceed }
        let preflight = try await Self.preflight(at: revision, dependencies)
        context.preflight = preflight
        context.platforms = try dependencies.connector.platforms(for: preflight.resolved.manifest)
        return .proceed
    }

    /// The checked manifest at `revision` (cached for the last revision checked).
    static func preflight(at revision: String, _ dependencies: ReconcilerDependencies) async throws -> ConfigurationPreflight.Result {
        if let cached = dependencies.preflightCache.result(for: revision) { return cached }
        guard let commit = CommitID(revision) else {
            throw ReconcileError.stalled(.unknownRevision, "\(revision) is not a full commit id")
        }
        let directory = dependencies.manifestDirectory
        let environment = dependencies.environment
        let paths = [
            ManifestLoader.baseFile(in: directory),
            ManifestLoader.environmentFile(environment, in: directory),
            ManifestLoader.environmentFile(EnvironmentConventions.counterpart(of: environment), in: directory),
        ]
        var files: [String: String] = [:]
        for path in paths {
            do {
                files[path] = String(decoding: try await dependencies.mirror.readFile(path, at: commit), as: UTF8.self)
            } catch let error as GitError where error.code == .notFound {
                continue
            } catch {
                throw ReconcileError.transient(.gitUnavailable, "reading \(path) at \(short(revision)): \(error)")
            }
        }
        do {
            let result = try ConfigurationPreflight.run(
                environment: environment, directory: directory, read: { files[$0] }, secrets: dependencies.secrets,
                otherFingerprints: dependencies.otherFingerprints)
            dependencies.preflightCache.store(result, for: revision)
            return result
        } catch let error as ConfigError {
            let reason: ReconcileError.Reason = switch error.code {
            case .isolationViolation: .isolationViolation
            case .unresolvedSecrets: .unresolvedSecret
            default: .invalidManifest
            }
            throw ReconcileError.stalled(reason, "the \(environment) manifest at \(short(revision)) was refused before touching any platform: \(error.description)")
        }
    }
}
