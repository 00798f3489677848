public import ClipnetContracts
public import Foundation
import GitWatch
public import Reconciler
import Synchronization

/// The repository of the simulation: every commit carries the same manifests (read once from
/// the project's `deploy/`), on one branch.
public final class SimRepository: ManifestRepository {
    private let files: [String: [UInt8]]
    private let commits = Mutex<[CommitID]>([])
    private let times = Mutex<[CommitID: Date]>([:])
    /// When a commit is made (the simulation's virtual clock); epoch 0 without one.
    public let clock: @Sendable () -> Date

    public init(files: [String: String], clock: @escaping @Sendable () -> Date = { Date(timeIntervalSince1970: 0) }) {
        self.files = files.mapValues { Array($0.utf8) }
        self.clock = clock
    }

    /// Adds a commit on top of the branch and returns it.
    public func commit(_ number: Int) -> CommitID {
        let id = CommitID(String(repeating: "0", count: 40 - String(number, radix: 16).count) + String(number, radix: 16))!
        commits.withLock { $0.append(id) }
        let now = clock()
        times.withLock { $0[id] = now }
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

    /// When `id` was committed, on the virtual clock.
    public func time(of id: CommitID) -> Date? { times.withLock { $0[id] } }

    public func commitTime(_ id: CommitID) async throws -> Date {
        guard let time = times.withLock({ $0[id] }) else { throw GitError(.notFound, "no commit \(id.hex)") }
        return time
    }
}
