public import ClipnetContracts
import Deployers
import Foundation
import Synchronization

/// Whether each platform accepts the daemon's token, learned with one cheap authenticated read
/// (the project: Vercel `GET /v9/projects/{id}`, Railway `project(id:)`) at the first pass that
/// has a manifest, and again at each pass until it succeeds.
///
/// The rule (docs/operations.md, "Credentials"): the daemon never refuses to start over a token,
/// because status, history and rollbacks of the record must stay reachable; it starts degraded.
/// A missing or refused token blocks every pass with a reason naming the variable, `/readyz`
/// fails its `credentials` check, and status lists each platform's state.
public final class PlatformAccess: Sendable {
    public typealias Entry = StatusDocument.PlatformAccessEntry
    public typealias State = StatusDocument.PlatformAccessEntry.State

    /// A platform's token variable and whether it is set (never the value).
    public struct Token: Sendable {
        public var platform: Platform
        public var tokenEnv: String
        public var isSet: Bool

        public init(platform: Platform, tokenEnv: String, isSet: Bool) {
            self.platform = platform
            self.tokenEnv = tokenEnv
            self.isSet = isSet
        }
    }

    private let entries: Mutex<[Entry]>

    public init(tokens: [Token]) {
        entries = Mutex(
            tokens.map {
                Entry(
                    platform: $0.platform, tokenEnv: $0.tokenEnv, state: $0.isSet ? .unchecked : .missing,
                    detail: $0.isSet ? nil : "\($0.tokenEnv) is not set in the daemon's environment", checkedAt: nil)
            })
    }

    public var snapshot: [Entry] { entries.withLock { $0 } }

    /// Platforms whose token is missing or refused, as a readiness detail; nil when none is.
    public var blockingDetail: String? {
        let blocking = snapshot.filter { $0.state == .missing || $0.state == .refused }
        return blocking.isEmpty ? nil : blocking.map { "\($0.platform): \($0.detail ?? $0.state.rawValue)" }.joined(separator: "; ")
    }

    /// Whether a platform is still to be asked (a pass then runs `verify`).
    public var needsCheck: Bool {
        entries.withLock { $0.contains { $0.state != .verified && $0.state != .missing } }
    }

    /// Reads each platform not yet verified.
    /// - Throws: `ReconcileError.stalled(.platformAccess)` naming the token's variable when a
    ///   platform refuses it: nothing can be done there until a person fixes the token.
    func verify(_ platforms: Platforms, now: Date) async throws {
        let pending = snapshot.filter { $0.state != .verified && $0.state != .missing }
        var results: [(Platform, Result<PlatformTopology, any Error>)] = []
        await withTaskGroup(of: (Platform, Result<PlatformTopology, any Error>).self) { group in
            for entry in pending {
                let deployer = entry.platform == .vercel ? platforms.vercel : platforms.railway
                group.addTask {
                    do {
                        return (entry.platform, .success(try await deployer.topology()))
                    } catch {
                        return (entry.platform, .failure(error))
                    }
                }
            }
            for await result in group { results.append(result) }
        }
        let refused = entries.withLock { entries in
            for (platform, result) in results {
                guard let index = entries.firstIndex(where: { $0.platform == platform }) else { continue }
                entries[index].checkedAt = now
                switch result {
                case .success(let topology):
                    entries[index].state = .verified
                    entries[index].detail = "reads project \(topology.project.name.isEmpty ? topology.project.id : topology.project.name)"
                case .failure(let error as DeployerError) where error.code == .unauthorized || error.code == .notFound:
                    entries[index].state = .refused
                    let name = platform == .vercel ? "Vercel" : "Railway"
                    entries[index].detail =
                        error.code == .notFound
                        ? "\(name) does not show the manifest's project to the token in \(entries[index].tokenEnv): \(error.message)"
                        : "\(name) refused the token in \(entries[index].tokenEnv): \(error.message)"
                case .failure(let error):
                    entries[index].state = .unreachable
                    entries[index].detail = "could not ask: \(error)"
                }
            }
            return entries.filter { $0.state == .refused }.compactMap(\.detail)
        }
        if !refused.isEmpty {
            throw ReconcileError.stalled(.platformAccess, refused.joined(separator: "; "))
        }
    }
}
