public import ClipnetContracts
public import Foundation
public import GitWatch

/// What a pass and the operator actions read from the repository: the manifests at a revision,
/// revisions resolved, and the branch's history. `GitMirror` (libgit2) is the real one; the
/// simulation uses an in-memory repository, so the rollout logic runs without git.
public protocol ManifestRepository: Sendable {
    func readFile(_ path: String, at id: CommitID) async throws -> [UInt8]
    func resolve(_ revision: String) async throws -> CommitID
    func head(of branch: String) async throws -> CommitID?
    func isAncestor(_ ancestor: CommitID, of commit: CommitID) async throws -> Bool
    /// When the commit was authored: where a change's lead time starts (delivery metrics).
    func commitTime(_ id: CommitID) async throws -> Date
    /// Brings new commits in (a revision pushed a moment ago); a no-op where there is no remote.
    func refresh() async throws
}

extension GitMirror: ManifestRepository {
    public func refresh() async throws { try await fetch() }
    public func commitTime(_ id: CommitID) async throws -> Date { try await commitInfo(id).time }
}
