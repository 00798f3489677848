import ClipnetContracts
import Foundation
import GitWatch
import ServiceLifecycle
import TestSupport
import Testing

@Suite struct BranchWatcherTests {
    @Test func theFirstFetchReportsTheCurrentHeadAsInitial() async throws {
        let harness = try await GitWatchHarness.make()
        let update = try #require(try await harness.pollUpdate())
        #expect(update.kind == .initial)
        #expect(update.current.hex == (try harness.remote.head()))
        #expect(update.previous == nil)
        #expect(update.branch == "develop")
        // Nothing new: nothing reported.
        #expect(try await harness.pollUpdate() == nil)
    }

    @Test func severalCommitsBetweenFetchesReportOnlyTheLatest() async throws {
        let harness = try await GitWatchHarness.make()
        let first = try #require(try await harness.pollUpdate())
        try harness.remote.commit(files: ["a.txt": "1"], message: "one")
        try harness.remote.commit(files: ["a.txt": "2"], message: "two")
        let latest = try harness.remote.commit(files: ["a.txt": "3"], message: "three")

        let update = try #require(try await harness.pollUpdate())
        #expect(update.kind == .fastForward)
        #expect(update.previous == first.current)
        #expect(update.current.hex == latest)
        // The stream keeps only the newest unconsumed head.
        let streamed = await next(of: harness.watcher.updates)
        #expect(streamed?.current.hex == latest)
    }

    @Test func aForcePushIsReportedAsNotADescendant() async throws {
        let harness = try await GitWatchHarness.make()
        try harness.remote.commit(files: ["a.txt": "1"], message: "to be rewritten")
        let before = try #require(try await harness.pollUpdate())
        try harness.remote.git("reset", "-q", "--hard", "HEAD~1")
        let rewritten = try harness.remote.commit(files: ["b.txt": "x"], message: "rewritten history")

        let update = try #require(try await harness.pollUpdate())
        #expect(update.kind == .forcePush)
        #expect(update.previous == before.current)
        #expect(update.current.hex == rewritten)
        #expect(try await harness.mirror.isAncestor(before.current, of: update.current) == false)
    }

    @Test func aDeletedBranchKeepsTheLastGoodHeadAndSaysWhy() async throws {
        let harness = try await GitWatchHarness.make()
        let good = try #require(try await harness.pollUpdate())
        try harness.remote.git("checkout", "-q", "-b", "other")
        try harness.remote.git("branch", "-q", "-D", "develop")

        let result = await harness.watcher.poll()
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.code == .branchMissing)
        #expect(error.description.contains("develop"))
        let status = harness.watcher.status()
        #expect(status.head == good.current)
        #expect(status.consecutiveFailures == 1)
        #expect(status.lastError?.contains("develop") == true)
    }

    @Test func anUnreachableRemoteKeepsTheLastHeadSurfacesLibgit2TextAndRecovers() async throws {
        let harness = try await GitWatchHarness.make()
        let good = try #require(try await harness.pollUpdate())
        let moved = harness.remote.path + ".moved"
        try FileManager.default.moveItem(atPath: harness.remote.path, toPath: moved)

        let result = await harness.watcher.poll()
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.function == "git_remote_fetch")
        #expect(error.isRetryable)
        #expect(error.message.contains(harness.remote.path))
        #expect(harness.watcher.status().head == good.current)
        #expect(harness.watcher.status().lastError == error.description)

        try FileManager.default.moveItem(atPath: moved, toPath: harness.remote.path)
        let latest = try harness.remote.commit(files: ["c.txt": "back"], message: "after the outage")
        let update = try #require(try await harness.pollUpdate())
        #expect(update.current.hex == latest)
        #expect(harness.watcher.status().lastError == nil)
        #expect(harness.watcher.status().consecutiveFailures == 0)
    }

    @Test func aRemoteThatIsNotARepositoryFailsWithLibgit2sReason() async throws {
        let runtime = try GitRuntime()
        let notARepository = try TemporaryDirectory(prefix: "clipnet-not-a-repo")
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: notARepository.appending("HEAD")))
        let state = try TemporaryDirectory()
        let mirror = try await GitMirror.open(url: notARepository.path, directory: state.appending("mirror.git"), runtime: runtime)
        let watcher = BranchWatcher(mirror: mirror, configuration: .init(branch: "develop"))

        guard case .failure(let error) = await watcher.poll() else {
            Issue.record("a directory that is not a repository was fetched")
            return
        }
        #expect(!error.message.isEmpty)
        #expect(watcher.status().head == nil)
    }

    @Test func aCorruptObjectOnTheRemoteFailsTheFetchAndKeepsTheLastHead() async throws {
        let harness = try await GitWatchHarness.make()
        let good = try #require(try await harness.pollUpdate())
        let bad = try harness.remote.commit(files: ["d.txt": "will be corrupted"], message: "corrupted")
        // Overwrite the new commit's loose object with bytes that are not zlib data.
        let objectPath = harness.remote.path + "/.git/objects/\(bad.prefix(2))/\(bad.dropFirst(2))"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: objectPath)
        try Data("this is not a git object".utf8).write(to: URL(fileURLWithPath: objectPath))

        guard case .failure(let error) = await harness.watcher.poll() else {
            Issue.record("a corrupt object was fetched without error")
            return
        }
        #expect(!error.message.isEmpty)
        #expect(harness.watcher.status().head == good.current)
    }

    @Test func aTriggerFetchesAtOnceAndShutdownEndsTheStream() async throws {
        // A one-minute interval: only the trigger can explain a prompt second update.
        let harness = try await GitWatchHarness.make(pollInterval: .seconds(60))
        let watcher = harness.watcher
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            var iterator = watcher.updates.makeAsyncIterator()
            let initial = await iterator.next()
            #expect(initial?.kind == .initial)

            let latest = try harness.remote.commit(files: ["e.txt": "now"], message: "pushed")
            watcher.trigger()
            let pushed = await iterator.next()
            #expect(pushed?.current.hex == latest)
            #expect(pushed?.kind == .fastForward)

            group.cancelAll()
            try? await group.waitForAll()
            #expect(await iterator.next() == nil)
        }
    }

    @Test func failedFetchesAreRetriedWithBackoffUntilTheRemoteReturns() async throws {
        let harness = try await GitWatchHarness.make(pollInterval: .seconds(60))
        let watcher = harness.watcher
        let moved = harness.remote.path + ".away"
        try FileManager.default.moveItem(atPath: harness.remote.path, toPath: moved)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            // Retries happen on their own (backoff of 20-100 ms), far sooner than the interval.
            #expect(await eventually { watcher.status().consecutiveFailures >= 3 })
            try FileManager.default.moveItem(atPath: moved, toPath: harness.remote.path)
            let update = await next(of: watcher.updates)
            #expect(update?.current.hex == (try harness.remote.head()))
            #expect(watcher.status().consecutiveFailures == 0)
            group.cancelAll()
        }
    }
}
