import Synchronization

/// Transport-level faults shared by every emulator: rate limiting, bursts of server errors, and
/// server errors returned after the request was processed (the case that makes client retries
/// dangerous and idempotency necessary). Platform-specific faults (failed builds, crashes, drift)
/// live in each emulator's state.
public final class FaultInjector: Sendable {
    /// One queued fault; consumed by the next matching request.
    public enum Fault: Sendable, Equatable {
        /// Answer 429 with this `Retry-After` value (seconds or an HTTP date) without processing.
        case rateLimit(retryAfter: String)
        /// Answer with this 5xx status without processing.
        case serverError(status: Int)
        /// Process the request normally, then answer with this 5xx status instead of the result.
        case serverErrorAfterProcessing(status: Int)
        /// Wait this long before processing, so a client's request timeout fires.
        case delay(milliseconds: Int)
    }

    private struct Queued {
        var fault: Fault
        var remaining: Int
        /// Only requests whose path or operation contains this string are affected; nil = all.
        var matching: String?
    }

    private let queue = Mutex<[Queued]>([])

    public init() {}

    /// Queues `fault` for the next `count` matching requests (after faults queued earlier).
    /// - Parameter matching: a substring of the path (REST) or the operation name (GraphQL); nil for any request.
    public func inject(_ fault: Fault, count: Int = 1, matching: String? = nil) {
        guard count > 0 else { return }
        queue.withLock { $0.append(Queued(fault: fault, remaining: count, matching: matching)) }
    }

    /// Removes every queued fault.
    public func clear() { queue.withLock { $0.removeAll() } }

    /// Number of fault answers still queued.
    public var pending: Int { queue.withLock { $0.reduce(0) { $0 + $1.remaining } } }

    /// Takes the fault for a request with this path and operation, if any.
    func take(path: String, operation: String?) -> Fault? {
        queue.withLock { list in
            guard
                let index = list.firstIndex(where: { queued in
                    guard let matching = queued.matching else { return true }
                    return path.contains(matching) || (operation?.contains(matching) ?? false)
                })
            else { return nil }
            let fault = list[index].fault
            list[index].remaining -= 1
            if list[index].remaining == 0 { list.remove(at: index) }
            return fault
        }
    }
}
