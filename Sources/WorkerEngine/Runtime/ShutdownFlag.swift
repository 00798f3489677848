import Synchronization

/// Set once when graceful shutdown begins; read by every slot before it takes another job.
final class ShutdownFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    func trigger() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }

    /// Returns once the flag is set or the task is cancelled (a 20 ms poll: only used off the hot path).
    func wait() async {
        while !isSet && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
