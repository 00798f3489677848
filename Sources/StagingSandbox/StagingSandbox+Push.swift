import AsyncPrimitives

extension StagingSandbox {
    /// Makes every recent commit of the branch known to both emulators, as a push to GitHub makes
    /// it known to Vercel and Railway: what lets a person commit into the demo's repository with
    /// plain `git commit` and watch it roll out. Idempotent; runs `git` off the cooperative pool.
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
        }
        return commits.count
    }
}
