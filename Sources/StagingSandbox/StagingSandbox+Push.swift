import AsyncPrimitives
import Foundation
import PlatformEmulators
import Synchronization

extension StagingSandbox {
    /// Makes every recent commit of the branch known to both emulators, as a push to GitHub makes
    /// it known to Vercel and Railway. Idempotent; runs `git` off the cooperative pool.
    /// - Returns: how many commits were looked at.
    @discardableResult
    public func registerPushedCommits(limit: Int = 50) async throws -> Int {
        let repository = self.repository
        let output = try await OffPool.run { try repository.git("rev-list", "--max-count=\(limit)", repository.branch) }
        let commits = output.split(separator: "\n").map(String.init).filter { $0.count == 40 }
        // Oldest first, so the branch head each emulator records ends at the newest.
        for sha in commits.reversed() {
            vercel.registerCommit(sha, branch: repository.branch, org: Self.org, repo: Self.repo)
            railway.registerCommit(sha, branch: repository.branch, repo: "\(Self.org)/\(Self.repo)")
            // A push runs CI: a commit nobody has checked yet passes its checks a moment later.
            if let github, !github.emulator.hasChecks(sha: sha) { github.runCI(sha, taking: .seconds(2)) }
        }
        return commits.count
    }

    /// From now on, a commit made in the repository with plain `git commit` is known to both
    /// emulators before their next request, as if it had been pushed to GitHub (the demo). The
    /// branch's ref file is read on each request; `git` runs only when it moved.
    public func acceptCommitsFromGit() {
        let lastSeen = Mutex<String?>(nil)
        let refFile = repository.path + "/.git/refs/heads/" + repository.branch
        let hook: @Sendable () async -> Void = { [weak self] in
            guard let self else { return }
            let head = (try? String(contentsOfFile: refFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            let moved = lastSeen.withLock { seen in
                defer { seen = head }
                return head == nil || head != seen
            }
            if moved { _ = try? await self.registerPushedCommits() }
        }
        vercelServer.host.beforeRequest.set(hook)
        railwayServer.host.beforeRequest.set(hook)
        github?.server.host.beforeRequest.set(hook)
    }
}
