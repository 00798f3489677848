import Dispatch

/// Runs blocking work (C calls into libgit2, hiredis, libpq, libcurl, or file syscalls) on a
/// dedicated serial dispatch queue and resumes the caller when it is done.
///
/// Why: a blocking C call made straight from an `async` function parks one of the few threads of
/// Swift's cooperative pool. A serial queue also gives a C handle the one-thread-at-a-time access
/// those libraries require, and a C library's thread-local error (libgit2's `git_error_last`) is
/// read inside the same work item, so on the thread that failed.
public final class SerialBlockingQueue: Sendable {
    private let queue: DispatchQueue

    /// - Parameter label: shows in thread names and crash reports; name the owner, e.g. `git.mirror`.
    public init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the queue and returns its result.
    ///
    /// The work item is not cancelled when the calling task is: a C call cannot be interrupted
    /// half-way, so callers bound it with the library's own timeouts instead.
    public func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            queue.async {
                continuation.resume(with: Swift.Result { try work() })
            }
        }
    }

    /// Runs `work` on the queue and waits for it from a synchronous context (deinit, exit paths).
    public func runSync<Result>(_ work: () throws -> Result) rethrows -> Result {
        try queue.sync(execute: work)
    }
}
