import ClipnetConfig
import ClipnetContracts
import ClipnetFormats
import Crypto
import Dispatch
import Foundation
import GitWatch

/// The manifest at a revision, read from the repository, validated, secrets resolved and
/// isolation checked, before any platform is touched. A bad manifest, a missing secret or an
/// isolation violation stalls the pass (a person must act; retrying will not help), and that
/// refusal is remembered for the revision like a success, so a bad commit is parsed once.
enum ManifestPreflight {
    static func run(at revision: String, _ dependencies: ReconcilerDependencies) async throws -> ConfigurationPreflight.Result {
        if let cached = dependencies.preflightCache.outcome(for: revision) { return try cached.get() }
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
                // Bounded and checked for what a manifest cannot be (NUL bytes, invalid UTF-8).
                files[path] = try ManifestFile.decode(try await dependencies.repository.readFile(path, at: commit), file: path)
            } catch let error as ConfigError {
                throw ReconcileError.stalled(
                    .invalidManifest,
                    "the \(environment) manifest at \(CommitID.short(revision)) was refused before touching any platform: \(error.description)")
            } catch let error as GitError where error.code == .notFound {
                continue
            } catch {
                throw ReconcileError.transient(.gitUnavailable, "reading \(path) at \(CommitID.short(revision)): \(error)")
            }
        }
        let key = contentKey(files)
        let general: Result<ConfigurationPreflight.Result, ReconcileError>
        if let known = dependencies.preflightCache.outcome(forContent: key) {
            general = known
        } else {
            general = await checked(environment: environment, directory: directory, files: files, dependencies: dependencies)
        }
        // Refusals are kept with a placeholder for the revision: the same manifests at another
        // commit are refused in the same words, naming that commit.
        let outcome = general.mapError {
            ReconcileError($0.kind, $0.reason, $0.message.replacingOccurrences(of: revisionToken, with: CommitID.short(revision)))
        }
        dependencies.preflightCache.store(outcome, for: revision, content: key, general: general)
        return try outcome.get()
    }

    /// Stands for the revision in a refusal kept by content.
    static let revisionToken = "\u{1}revision\u{1}"

    /// The manifests' contents, as one key (SHA-256 of the paths and texts).
    private static func contentKey(_ files: [String: String]) -> String {
        var hasher = SHA256()
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            hasher.update(data: Array(path.utf8) + [0] + Array(text.utf8) + [0])
        }
        return Hex.lowercase(hasher.finalize())
    }

    /// Parsing and checking a manifest is CPU work of unbounded size (a hostile manifest is
    /// bounded by the loader, but still costly): it runs on a dispatch queue, not on the
    /// cooperative pool the HTTP server and the loop share.
    private static func checked(
        environment: String, directory: String, files: [String: String], dependencies: ReconcilerDependencies
    ) async -> Result<ConfigurationPreflight.Result, ReconcileError> {
        let secrets = dependencies.secrets
        let other = dependencies.otherFingerprints
        let resolver = dependencies.hostResolver
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                do {
                    let result = try ConfigurationPreflight.run(
                        environment: environment, directory: directory, read: { files[$0] }, secrets: secrets, otherFingerprints: other,
                        resolver: resolver)
                    continuation.resume(returning: .success(result))
                } catch let error as ConfigError {
                    let reason: ReconcileError.Reason =
                        switch error.code {
                        case .isolationViolation: .isolationViolation
                        case .unresolvedSecrets: .unresolvedSecret
                        default: .invalidManifest
                        }
                    continuation.resume(
                        returning: .failure(
                            .stalled(
                                reason,
                                "the \(environment) manifest at \(revisionToken) was refused before touching any platform: \(error.description)")))
                } catch {
                    continuation.resume(
                        returning: .failure(
                            .stalled(.invalidManifest, "the \(environment) manifest at \(revisionToken) could not be checked: \(error)")))
                }
            }
        }
    }
}
