public import AsyncPrimitives
import Foundation
public import Logging
import PostgresClient
import Synchronization

/// Elects one active daemon per environment among replicas sharing a PostgreSQL database.
///
/// Design:
/// - **Lock.** Each elector keeps a dedicated session and calls `pg_try_advisory_lock(key)`,
///   with `key` derived from the environment name (`lockKey(environment:)`). PostgreSQL
///   grants a session lock to one session at a time and releases it when that session ends,
///   however it ends: a killed process's socket closes and its backend exits. Standbys retry
///   every `retryInterval` and take over after that.
/// - **Fence.** On acquiring, the new leader bumps `reconciler_leadership.epoch` and reports
///   `.leader(LeaderFence)`. The lock alone cannot stop a deposed leader that has not noticed
///   yet (a paused process, a partition) from writing through its *other* session, the store's.
///   So fenced store writes (`PostgresStateStore.update(environment:fence:_:)`,
///   `FencedStateStore`) check the epoch in their own transaction under `FOR SHARE`: a write
///   with an old epoch fails with `.notLeader`, and the epoch bump waits for any fenced write in
///   flight, so none commits after a takeover.
/// - **Loss.** The leader checks every `checkInterval` that its session is alive, still holds
///   the lock, and that the epoch is still its own; otherwise it reports `.standby`, so the
///   daemon stops writing, then reconnects (with `Backoff`) and campaigns again. The session
///   asks the server for TCP keepalives, so a leader that vanished without closing its socket
///   is dropped by the server too, and its lock freed.
///
/// Usage: run `run()` in a task (it is a service loop: it returns when cancelled, releasing
/// leadership), and follow `events`.
public final class LeaderElection: Sendable {
    public struct Configuration: Sendable {
        /// How often a standby tries to take the lock.
        public var retryInterval: Duration
        /// How often the leader checks that it still leads.
        public var checkInterval: Duration
        public var connectTimeout: Duration
        /// Pause before reconnecting after the session failed.
        public var reconnectBackoff: Backoff
        public var applicationName: String

        public init(
            retryInterval: Duration = .seconds(5), checkInterval: Duration = .seconds(5), connectTimeout: Duration = .seconds(10),
            reconnectBackoff: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30)),
            applicationName: String = "clipnet-reconciler-leader"
        ) {
            self.retryInterval = retryInterval
            self.checkInterval = checkInterval
            self.connectTimeout = connectTimeout
            self.reconnectBackoff = reconnectBackoff
            self.applicationName = applicationName
        }
    }

    private struct State {
        var started = false
        var role: LeadershipEvent?
    }

    public let environment: String
    /// This elector's identity in `reconciler_leadership.holder`.
    public let holder: String
    /// Role changes, in order: `.leader(fence)` when elected, `.standby` when not (or no longer)
    /// leading. Finishes when `run()` returns.
    public let events: AsyncStream<LeadershipEvent>

    private let continuation: AsyncStream<LeadershipEvent>.Continuation
    private let url: String
    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - url: the PostgreSQL URL (the same database as the state store).
    ///   - holder: defaults to host, process id and a random suffix, unique per elector.
    public init(
        url: String, environment: String, holder: String? = nil, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "clipnet.leader")
    ) throws {
        try validateEnvironmentName(environment)
        self.url = url
        self.environment = environment
        self.holder = holder ?? "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(UUID().uuidString.prefix(8).lowercased())"
        self.configuration = configuration
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: LeadershipEvent.self)
    }

    /// The fence to write with, while this elector leads.
    public var fence: LeaderFence? {
        state.withLock { state in
            if case .leader(let fence) = state.role { return fence }
            return nil
        }
    }

    /// The advisory lock key of an environment's leadership.
    public static func lockKey(environment: String) -> Int64 {
        AdvisoryLockKey.make("clipnet.reconciler.leader/\(environment)")
    }

    /// Campaigns until cancelled; on return the session is closed, so leadership is released.
    /// Call it once.
    public func run() async {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else {
            logger.error("LeaderElection.run() was called twice; the second call does nothing")
            return
        }
        defer {
            report(.standby)
            continuation.finish()
        }
        var failures = 0
        while !Task.isCancelled {
            var session: PostgresConnection?
            do {
                let connection = try await PostgresConnection.connect(
                    url: url,
                    options: .init(connectTimeout: configuration.connectTimeout, applicationName: configuration.applicationName),
                    logger: logger)
                session = connection
                try await PostgresSchema.migrate(connection)
                try await askForServerKeepalives(connection)
                failures = 0
                try await campaign(on: connection)
            } catch is CancellationError {
                await session?.close()
                return
            } catch {
                report(.standby)
                await session?.close()
                failures += 1
                let delay = configuration.reconnectBackoff.delay(afterFailures: failures)
                logger.warning(
                    "Leader election session failed; reconnecting",
                    metadata: ["leader.environment": "\(environment)", "error": "\(error)", "retry.in_seconds": "\(delay.seconds)"])
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    // MARK: - Campaign

    /// Tries the lock until it is granted, then holds it while it lasts; throws when the
    /// session fails or the task is cancelled.
    private func campaign(on connection: PostgresConnection) async throws {
        let key = String(Self.lockKey(environment: environment))
        while true {
            let rows = try await connection.query("SELECT pg_try_advisory_lock($1::bigint) AS acquired", [key])
            if try rows.first?.bool("acquired") == true {
                let fence = try await claimEpoch(on: connection)
                logger.notice("Elected leader", metadata: ["leader.environment": "\(environment)", "leader.epoch": "\(fence.epoch)"])
                report(.leader(fence))
                try await holdLeadership(fence, on: connection)
                // Still connected but no longer the epoch's holder: hand the lock back.
                _ = try await connection.query("SELECT pg_advisory_unlock($1::bigint)", [key])
                report(.standby)
            } else {
                report(.standby)
            }
            try await Task.sleep(for: Backoff.jittered(configuration.retryInterval, by: 0.2))
        }
    }

    /// Bumps the fencing epoch (creating the row for the first leader).
    private func claimEpoch(on connection: PostgresConnection) async throws -> LeaderFence {
        let rows = try await connection.query(
            """
            INSERT INTO reconciler_leadership (environment, epoch, holder, acquired_at) VALUES ($1::text, 1, $2::text, now())
            ON CONFLICT (environment) DO UPDATE
                SET epoch = reconciler_leadership.epoch + 1, holder = EXCLUDED.holder, acquired_at = now()
            RETURNING epoch
            """,
            [environment, holder])
        guard let row = rows.first else {
            throw PostgresError(.unexpectedResult, message: "claiming the leadership epoch returned no row")
        }
        return LeaderFence(environment: environment, epoch: try row.int64("epoch"), holder: holder)
    }

    /// Returns when the lock or the epoch is no longer this elector's; throws when the session
    /// fails (the server may already have released the lock) or on cancellation.
    private func holdLeadership(_ fence: LeaderFence, on connection: PostgresConnection) async throws {
        let (classid, objid) = AdvisoryLockKey.pgLocksColumns(Self.lockKey(environment: environment))
        while true {
            try await Task.sleep(for: configuration.checkInterval)
            let rows = try await connection.query(
                """
                SELECT l.epoch, l.holder,
                       EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                               AND classid = $2::oid AND objid = $3::oid AND objsubid = 1) AS locked
                FROM reconciler_leadership l WHERE l.environment = $1::text
                """,
                [environment, classid, objid])
            guard let row = rows.first, try row.int64("epoch") == fence.epoch, try row.string("holder") == fence.holder,
                try row.bool("locked")
            else {
                logger.warning("Lost leadership", metadata: ["leader.environment": "\(environment)", "leader.epoch": "\(fence.epoch)"])
                return
            }
        }
    }

    /// Server-side keepalives for this session, so the server drops a leader that vanished
    /// without closing its socket (power loss, partition) and frees its lock within ~30 s,
    /// instead of the kernel default of hours.
    private func askForServerKeepalives(_ connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            SELECT set_config('tcp_keepalives_idle', '10', false), set_config('tcp_keepalives_interval', '5', false),
                   set_config('tcp_keepalives_count', '3', false)
            """)
    }

    /// Publishes a role change (repeats of the current role are dropped).
    private func report(_ role: LeadershipEvent) {
        let changed = state.withLock { state -> Bool in
            guard state.role != role else { return false }
            state.role = role
            return true
        }
        if changed { continuation.yield(role) }
    }
}
