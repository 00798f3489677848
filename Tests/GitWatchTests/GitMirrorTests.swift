import ClipnetContracts
import Foundation
import GitWatch
import TestSupport
import Testing

@Suite struct GitMirrorTests {
    @Test func readsAFileAtARevisionAndEachRevisionHasItsOwnContents() async throws {
        let harness = try await GitWatchHarness.make()
        let first = try harness.remote.commit(files: ["deploy/staging.yaml": "version: 1\n"], message: "v1")
        let second = try harness.remote.commit(files: ["deploy/staging.yaml": "version: 2\n"], message: "v2")
        try await harness.mirror.fetch()

        let old = try await harness.mirror.readFile("deploy/staging.yaml", at: try #require(CommitID(first)))
        let new = try await harness.mirror.readFile("./deploy//staging.yaml", at: try #require(CommitID(second)))
        #expect(String(decoding: old, as: UTF8.self) == "version: 1\n")
        #expect(String(decoding: new, as: UTF8.self) == "version: 2\n")
    }

    @Test func aFileMissingAtARevisionIsNotFoundAndNamesThePath() async throws {
        let harness = try await GitWatchHarness.make()
        let before = try harness.remote.head()
        try harness.remote.commit(files: ["deploy/production.yaml": "x: 1\n"], message: "add production")
        try await harness.mirror.fetch()

        await #expect {
            try await harness.mirror.readFile("deploy/production.yaml", at: try #require(CommitID(before)))
        } throws: { error in
            (error as? GitError)?.code == .notFound && "\(error)".contains("deploy/production.yaml")
        }
        await #expect(throws: GitError.self) {
            try await harness.mirror.readFile("deploy", at: try #require(CommitID(try harness.remote.head())))
        }
        await #expect(throws: GitError.self) {
            try await harness.mirror.readFile("../outside", at: try #require(CommitID(before)))
        }
    }

    @Test func resolvesShortIdsTagsAndBranchesToFullCommitIds() async throws {
        let harness = try await GitWatchHarness.make()
        let tagged = try harness.remote.commit(files: ["f": "1"], message: "tagged")
        try harness.remote.git("tag", "v1.0.0")
        try harness.remote.git("tag", "-a", "v1.0.1", "-m", "annotated release")
        let head = try harness.remote.commit(files: ["f": "2"], message: "later")
        try await harness.mirror.fetch()

        #expect(try await harness.mirror.resolve(String(tagged.prefix(8))).hex == tagged)
        #expect(try await harness.mirror.resolve(tagged.uppercased()).hex == tagged)
        #expect(try await harness.mirror.resolve("v1.0.0").hex == tagged)
        #expect(try await harness.mirror.resolve("v1.0.1").hex == tagged)
        #expect(try await harness.mirror.resolve("develop").hex == head)
        #expect(try await harness.mirror.resolve("develop~1").hex == tagged)
    }

    @Test func unknownRevisionsAreNotFound() async throws {
        let harness = try await GitWatchHarness.make()
        try await harness.mirror.fetch()
        for revision in ["no-such-branch", "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", "v9.9.9"] {
            await #expect {
                try await harness.mirror.resolve(revision)
            } throws: { error in
                (error as? GitError)?.code == .notFound && "\(error)".contains(revision)
            }
        }
        await #expect(throws: GitError.self) { try await harness.mirror.resolve("--upload-pack=evil") }
    }

    @Test func answersWhetherOneCommitIsAnAncestorOfAnother() async throws {
        let harness = try await GitWatchHarness.make()
        let base = try #require(CommitID(try harness.remote.head()))
        let middle = try #require(CommitID(try harness.remote.commit(files: ["g": "1"], message: "middle")))
        let tip = try #require(CommitID(try harness.remote.commit(files: ["g": "2"], message: "tip")))
        try harness.remote.git("checkout", "-q", "-b", "side", base.hex)
        let side = try #require(CommitID(try harness.remote.commit(files: ["h": "1"], message: "side")))
        try await harness.mirror.fetch()

        #expect(try await harness.mirror.isAncestor(base, of: tip))
        #expect(try await harness.mirror.isAncestor(middle, of: tip))
        #expect(try await harness.mirror.isAncestor(tip, of: tip))
        #expect(try await harness.mirror.isAncestor(tip, of: middle) == false)
        #expect(try await harness.mirror.isAncestor(side, of: tip) == false)
        #expect(try await harness.mirror.isAncestor(base, of: side))
        let unknown = try #require(CommitID(String(repeating: "e", count: 40)))
        await #expect(throws: GitError.self) { try await harness.mirror.isAncestor(unknown, of: tip) }
    }

    @Test func listsTheTagsThatPointAtACommit() async throws {
        let harness = try await GitWatchHarness.make()
        let release = try harness.remote.commit(files: ["r": "1"], message: "release")
        try harness.remote.git("tag", "v2.0.0")
        try harness.remote.git("tag", "-a", "staging-2026-11-25", "-m", "deployed")
        let other = try harness.remote.commit(files: ["r": "2"], message: "other")
        try await harness.mirror.fetch()

        #expect(try await harness.mirror.tags(pointingAt: try #require(CommitID(release))) == ["staging-2026-11-25", "v2.0.0"])
        #expect(try await harness.mirror.tags(pointingAt: try #require(CommitID(other))) == [])
    }

    @Test func givesCommitAuthorTimeAndSubject() async throws {
        let harness = try await GitWatchHarness.make()
        let when = Date(timeIntervalSince1970: 1_764_040_000)
        let id = try harness.remote.commit(files: ["m": "1"], message: "Fix the worker queue\n\nLonger body text.", date: when)
        try await harness.mirror.fetch()

        let info = try await harness.mirror.commitInfo(try #require(CommitID(id)))
        #expect(info.id.hex == id)
        #expect(info.authorName == "Test Author")
        #expect(info.authorEmail == "author@example.test")
        #expect(info.time == when)
        #expect(info.subject == "Fix the worker queue")
    }

    @Test func theMirrorPersistsAndFollowsAChangedRemoteURL() async throws {
        let harness = try await GitWatchHarness.make()
        try await harness.mirror.fetch()
        let first = try await harness.mirror.head(of: "develop")

        // A second remote with different history; reopening the same mirror folder re-points origin.
        let other = try GitFixture(branch: "develop")
        let otherHead = try other.commit(files: ["o": "1"], message: "other repository")
        let reopened = try await GitMirror.open(url: other.url, directory: harness.mirror.directory, runtime: harness.runtime)
        #expect(try await reopened.head(of: "develop") == first)
        try await reopened.fetch()
        #expect(try await reopened.head(of: "develop")?.hex == otherHead)
    }

    @Test func aTokenNeverAppearsInErrorsOrTheDisplayedURL() async throws {
        let runtime = try GitRuntime()
        let state = try TemporaryDirectory()
        let canary = "canary-token-\(UUID().uuidString)"
        setenv("CLIPNET_TEST_GIT_TOKEN", canary, 1)
        let url = "https://x-access-token:\(canary)@127.0.0.1:9/clipnet/app.git"
        let mirror = try await GitMirror.open(
            url: url, directory: state.appending("m.git"),
            credentials: .httpsToken(environmentVariable: "CLIPNET_TEST_GIT_TOKEN"), runtime: runtime)
        #expect(!mirror.displayURL.contains(canary))
        let watcher = BranchWatcher(mirror: mirror, configuration: .init(branch: "develop", fetchTimeout: .seconds(10)))
        guard case .failure(let error) = await watcher.poll() else {
            Issue.record("fetching from a closed port succeeded")
            return
        }
        #expect(error.isRetryable)
        #expect(!error.description.contains(canary))
        #expect(watcher.status().lastError?.contains(canary) == false)
    }

    @Test func commitIdsAcceptOnlyFortyHexCharacters() {
        #expect(CommitID(String(repeating: "a", count: 40)) != nil)
        #expect(CommitID(String(repeating: "A", count: 40))?.hex == String(repeating: "a", count: 40))
        #expect(CommitID(String(repeating: "a", count: 39)) == nil)
        #expect(CommitID(String(repeating: "g", count: 40)) == nil)
        #expect(CommitID("") == nil)
    }
}
