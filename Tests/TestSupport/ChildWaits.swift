import AsyncPrimitives
import Foundation

/// The test helpers' blocking waits, with the calling task suspended instead of a thread of the
/// cooperative pool blocked (`OffPool`).

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
