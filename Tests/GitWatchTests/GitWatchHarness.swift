import AsyncPrimitives
import Foundation
import GitWatch
import TestSupport

/// A remote made with the git CLI, a mirror of it opened through libgit2, and a watcher.
struct GitWatchHarness {
    let remote: GitFixture
    let stateDirectory: TemporaryDirectory
    let runtime: GitRuntime
    let mirror: GitMirror
    let watcher: BranchWatcher

    static func make(branch: String = "develop", pollInterval: Duration = .seconds(60)) async throws -> GitWatchHarness {
        let runtime = try GitRuntime()
        let remote = try GitFixture(branch: branch)
        let state = try TemporaryDirectory(prefix: "clipnet-state")
        let mirror = try await GitMirror.open(
            url: remote.path, directory: GitMirror.defaultDirectory(stateDirectory: state.path, url: remote.path), runtime: runtime)
        let watcher = BranchWatcher(
            mirror: mirror,
            configuration: .init(branch: branch, pollInterval: pollInterval, backoff: .init(initial: .milliseconds(20), maximum: .milliseconds(100))))
        return GitWatchHarness(remote: remote, stateDirectory: state, runtime: runtime, mirror: mirror, watcher: watcher)
    }

    /// Polls once and returns the update, failing the test on a fetch error.
    func pollUpdate() async throws -> HeadUpdate? {
        try await watcher.poll().get()
    }
}

/// The next element of `stream`, or nil if none arrives within `limit` (a guard against a hung
/// test, not a timing assertion).
func next<Element: Sendable>(of stream: AsyncStream<Element>, within limit: Duration = .seconds(30)) async -> Element? {
    await withTaskGroup(of: Element?.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
