import Foundation

/// Runs blocking work (a child's output, `waitpid`, `psql`) on a thread of its own while the
/// calling task suspends.
///
/// Why: the whole suite runs in one process on two cores, so Swift's cooperative pool has two
/// threads. A test that blocks one of them while its child process needs an emulator served by
/// this same process (whose handlers need the pool) can starve every other test; in one run the
/// suite stood still for two minutes and unrelated HTTP tests timed out.
public enum OffPool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}

extension KillableChild {
    /// `waitForOutput`, with the calling task suspended instead of a pool thread blocked.
    public func output(where condition: @escaping @Sendable (String) -> Bool) async throws {
        let child = UncheckedChild(self)
        try await OffPool.run { try child.value.waitForOutput(condition) }
    }

    /// `waitForLine`, off the pool.
    public func line(_ line: String) async throws {
        let child = UncheckedChild(self)
        try await OffPool.run { try child.value.waitForLine(line) }
    }

    /// `terminate`, off the pool: SIGTERM, then the exit status once the child is gone.
    public func stop() async -> Int32 {
        let child = UncheckedChild(self)
        return await OffPool.run { child.value.terminate() }
    }

    /// `killHard`, off the pool.
    public func killNow() async {
        let child = UncheckedChild(self)
        await OffPool.run { child.value.killHard() }
    }

    /// `waitForExit`, off the pool.
    public func exit() async -> (status: Int32, signal: Int32?) {
        let child = UncheckedChild(self)
        return await OffPool.run { child.value.waitForExit() }
    }
}

extension TestDatabase {
    /// `create`, off the pool.
    public static func make(prefix: String = "fresh") async throws -> (name: String, url: String) {
        try await OffPool.run { try create(prefix: prefix) }
    }

    /// `drop`, off the pool.
    public static func remove(_ name: String) async throws {
        try await OffPool.run { try drop(name) }
    }
}

extension ChildProcess {
    /// `run`, off the pool.
    @discardableResult
    public static func output(_ command: [String], environment: [String: String] = [:]) async throws -> String {
        try await OffPool.run { try run(command, environment: environment) }
    }
}

/// A test's child, handed to the thread that waits on it; only that thread uses it meanwhile.
private struct UncheckedChild: @unchecked Sendable {
    let value: KillableChild
    init(_ value: KillableChild) { self.value = value }
}
