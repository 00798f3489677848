import Foundation
import Glibc
import Synchronization

/// One fetch's network budget: its deadline and the sockets it has open, so the deadline holds for
/// the whole fetch (name resolution aside, connect and negotiation included) and a fetch that is
/// given up can have its sockets shut down from another thread.
///
/// Why: libgit2 1.5 has no network timeout (it arrived in 1.7); a remote that accepts a connection
/// and never answers would otherwise block `git_remote_fetch` forever. The registered socket stream
/// (`DeadlineSocketStream`) finds the scope of the thread it is created on, polls every connect,
/// read and write against the deadline, and registers its descriptor here.
final class FetchNetworkScope: Sendable {
    let deadline: ContinuousClock.Instant?
    private let state = Mutex(State())

    private struct State {
        var sockets: Set<Int32> = []
        var abandoned = false
    }

    init(deadline: ContinuousClock.Instant?) {
        self.deadline = deadline
    }

    /// Whether the fetch was given up (its sockets are shut down and new ones are refused).
    var isAbandoned: Bool { state.withLock { $0.abandoned } }

    /// Milliseconds left for one `poll`, -1 without a deadline, 0 once it has passed.
    func pollTimeoutMilliseconds() -> Int32 {
        guard let deadline else { return -1 }
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: milliseconds)
    }

    /// Records an open socket; false (and the socket is not recorded) once the fetch is abandoned.
    func register(_ socket: Int32) -> Bool {
        state.withLock { state in
            guard !state.abandoned else { return false }
            state.sockets.insert(socket)
            return true
        }
    }

    /// Forgets and closes `socket` under the lock, so `abandon()` can never shut down a descriptor
    /// number that has been closed and reused elsewhere.
    func close(_ socket: Int32) {
        state.withLock { state in
            state.sockets.remove(socket)
            _ = Glibc.close(socket)
        }
    }

    /// Gives the fetch up: every socket it has open is shut down (blocked reads and writes return
    /// at once, inside libgit2 as well as in this stream) and new connections are refused.
    func abandon() {
        state.withLock { state in
            state.abandoned = true
            for socket in state.sockets { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: The scope of the current thread

    /// libgit2 makes its network calls on the thread that called `git_remote_fetch`, so the
    /// stream finds its fetch by thread.
    private static let scopes = Mutex<[UInt: FetchNetworkScope]>([:])

    private static var threadKey: UInt { UInt(pthread_self()) }

    /// Runs `body` (which calls libgit2's fetch) with `scope` as this thread's fetch scope.
    static func with<Result>(_ scope: FetchNetworkScope, _ body: () throws -> Result) rethrows -> Result {
        let key = threadKey
        scopes.withLock { $0[key] = scope }
        defer { _ = scopes.withLock { $0.removeValue(forKey: key) } }
        return try body()
    }

    /// The scope of the fetch running on this thread, if any.
    static var current: FetchNetworkScope? {
        let key = threadKey
        return scopes.withLock { $0[key] }
    }
}
