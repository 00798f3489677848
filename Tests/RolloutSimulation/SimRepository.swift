public import ClipnetContracts
import GitWatch
public import Reconciler
import Synchronization

/// The repository of the simulation: every commit carries the same manifests (read once from
/// the project's `deploy/`), on one branch.
public final class SimRepository: ManifestRepository {
    private let files: [String: [UInt8]]
    private let commits = Mutex<[CommitID]>([])

    public init(files: [String: String]) {
        self.files = files.mapValues { Array($0.utf8) }
    }

    /// Adds a commit on top of the branch and returns it.
    public func commit(_ number: Int) -> CommitID {
        let id = CommitID(String(repeating: "0", count: 40 - String(number, radix: 16).count) + String(number, radix: 16))!
        commits.withLock { $0.append(id) }
        return id
    }

    public var head: CommitID? { commits.withLock { $0.last } }
    public var all: [CommitID] { commits.withLock { $0 } }

    public func readFile(_ path: String, at id: CommitID) async throws -> [UInt8] {
        guard commits.withLock({ $0.contains(id) }) else { throw GitError(.notFound, "no commit \(id.hex)") }
        guard let bytes = files[path] else { throw GitError(.notFound, "no \(path) at \(id.hex)") }
        return bytes
    }

    public func resolve(_ revision: String) async throws -> CommitID {
        let matches = commits.withLock { $0.filter { $0.hex.hasPrefix(revision.lowercased()) } }
        guard let match = matches.first, matches.count == 1 else { throw GitError(.notFound, "unknown revision \(revision)") }
        return match
    }

    public func head(of branch: String) async throws -> CommitID? { head }

    public func isAncestor(_ ancestor: CommitID, of commit: CommitID) async throws -> Bool {
        commits.withLock { list in
            guard let a = list.firstIndex(of: ancestor), let c = list.firstIndex(of: commit) else { return false }
            return a <= c
        }
    }

    public func refresh() async throws {}
}
