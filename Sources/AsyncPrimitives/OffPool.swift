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
