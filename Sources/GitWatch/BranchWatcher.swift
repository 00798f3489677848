public import AsyncPrimitives
import ClipnetContracts
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Watches one branch of a `GitMirror`: fetches on a jittered interval or at once when
/// triggered (the webhook), and publishes each new head.
///
/// - A failed fetch keeps the last good head, records libgit2's error text in `status()`, and is
///   retried with capped exponential backoff (never slower than the poll interval).
/// - `updates` keeps only the newest unconsumed head: when several commits land between two reads,
///   the consumer sees the latest, not a backlog.
/// - A head that does not descend from the previous one is reported as `.forcePush`.
public final class BranchWatcher: Service, Sendable {
    public struct Configuration: Sendable {
        public var branch: String
        public var pollInterval: Duration
        /// Fraction of the interval randomised either way, so replicas do not fetch in step.
        public var jitter: Double
        public var backoff: Backoff
        public var fetchTimeout: Duration
        /// Tags that mark a revision for the environment (`staging/*`); nil: none.
        public var markPattern: String?

        public init(
            branch: String, pollInterval: Duration = .seconds(30), jitter: Double = 0.1, backoff: Backoff? = nil,
            fetchTimeout: Duration = .seconds(300), markPattern: String? = nil
        ) {
            self.markPattern = markPattern
            self.branch = branch
            self.pollInterval = pollInterval
            self.jitter = jitter
            self.backoff = backoff ?? Backoff(initial: .seconds(1), maximum: pollInterval)
            self.fetchTimeout = fetchTimeout
        }
    }

    public let mirror: GitMirror
    public let configuration: Configuration
    /// New heads of the branch, newest only. Finished when `run()` returns.
    public let updates: AsyncStream<HeadUpdate>

    private let continuation: AsyncStream<HeadUpdate>.Continuation
    private let doorbell = Doorbell()
    private let state: Mutex<State>
    private let logger: Logger

    private struct State {
        var status: WatchStatus
        var reported = false
    }

    public init(mirror: GitMirror, configuration: Configuration, logger: Logger = Logger(label: "clipnet.gitwatch")) {
        self.mirror = mirror
        self.configuration = configuration
        self.logger = logger
        (updates, continuation) = AsyncStream.makeStream(of: HeadUpdate.self, bufferingPolicy: .bufferingNewest(1))
        state = Mutex(State(status: WatchStatus(branch: configuration.branch)))
    }

    /// Fetch now instead of at the next interval (coalesced if one is already pending).
    public func trigger() {
        doorbell.ring()
    }

    public func status() -> WatchStatus {
        state.withLock { $0.status }
    }

    public func run() async throws {
        logger.info("Watching branch", metadata: ["branch": "\(configuration.branch)", "remote": "\(mirror.displayURL)"])
        defer { continuation.finish() }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let delay: Duration
                switch await poll() {
                case .success:
                    delay = Backoff.jittered(configuration.pollInterval, by: configuration.jitter)
                case .failure:
                    let failures = status().consecutiveFailures
                    delay = min(configuration.backoff.delay(afterFailures: failures), configuration.pollInterval)
                }
                await doorbell.wait(upTo: delay)
            }
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
    }

    /// One fetch-and-compare pass; publishes and returns the update if the head moved (or on the
    /// first successful pass). Used by `run()`, and directly by one-shot commands and tests.
    @discardableResult
    public func poll() async -> Result<HeadUpdate?, GitError> {
        let branch = configuration.branch
        let attempt = Date()
        state.withLock { $0.status.lastAttemptAt = attempt }
        do {
            let before = try await mirror.head(of: branch)
            try await mirror.fetch(timeout: configuration.fetchTimeout)
            guard let head = try await mirror.head(of: branch) else {
                throw GitError(.branchMissing, "branch '\(branch)' does not exist on \(mirror.displayURL)", function: "poll")
            }
            let (reported, previous, previousMark) = state.withLock { ($0.reported, $0.status.head, $0.status.mark) }
            var mark: MarkedRevision?
            if let pattern = configuration.markPattern {
                do {
                    mark = try await mirror.newestMark(pattern: pattern)
                } catch {
                    // A tag that cannot be read must neither stop the branch from being followed
                    // nor drop the mark: the last one stands until the tags read again.
                    mark = previousMark
                    logger.warning("Marked builds could not be read; keeping the last mark", metadata: ["error": "\(error)"])
                }
            }
            let base = reported ? previous : before
            var update: HeadUpdate?
            if reported, base == head, mark != previousMark {
                // The branch did not move, but what is marked for the environment did.
                update = HeadUpdate(branch: branch, previous: head, current: head, kind: .markChanged, fetchedAt: Date())
            }
            if !reported || base != head {
                var kind = HeadUpdate.Kind.initial
                if let base, base != head {
                    kind = (try? await mirror.isAncestor(base, of: head)) == true ? .fastForward : .forcePush
                }
                update = HeadUpdate(branch: branch, previous: kind == .initial ? nil : base, current: head, kind: kind, fetchedAt: Date())
            }
            state.withLock {
                $0.reported = true
                $0.status.head = head
                $0.status.mark = mark
                $0.status.lastSuccessAt = Date()
                $0.status.lastError = nil
                $0.status.consecutiveFailures = 0
            }
            if let update {
                logger.info(
                    "New head",
                    metadata: [
                        "branch": "\(branch)", "revision": "\(update.current.hex)", "head.kind": "\(update.kind.rawValue)",
                    ])
                continuation.yield(update)
            }
            return .success(update)
        } catch {
            let gitError = error as? GitError ?? GitError(.other, "\(error)", function: "poll")
            let failures = state.withLock {
                $0.status.lastError = gitError.description
                $0.status.consecutiveFailures += 1
                return $0.status.consecutiveFailures
            }
            logger.warning(
                "Fetch failed; keeping the last good head",
                metadata: [
                    "branch": "\(branch)", "error": "\(gitError.description)", "failures": "\(failures)",
                ])
            return .failure(gitError)
        }
    }
}
