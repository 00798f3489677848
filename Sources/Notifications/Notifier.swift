public import AsyncPrimitives
public import ClipnetContracts
public import Foundation
public import KnownGoodStore
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// Delivers notifications to every configured channel: a `Service` of its own, so a slow or
/// failing Slack never blocks or fails a pass.
///
/// Each round reads the record, asks the planner what each channel has not been told, sends it
/// in order and moves the channel's marks in the store after each delivery (at-least-once: a
/// crash between the two sends the event again). Only the leader delivers; its writes go through
/// the leader's fenced store. A failing channel waits with backoff (or the receiver's
/// `Retry-After`) and shows in `/status` and `/metrics`; the others go on.
public final class Notifier: Service, Sendable {
    /// What a round needs from the daemon.
    public struct Inputs: Sendable {
        /// The leader's store; nil on a standby (which delivers nothing).
        public var store: (any StateStore)?
        public var context: NotificationContext

        public init(store: (any StateStore)?, context: NotificationContext) {
            self.store = store
            self.context = context
        }
    }

    /// A channel refused the same event this many times for what it is: it is dropped (logged,
    /// counted) so one bad event cannot stop the channel for good.
    static let permanentAttempts = 3
    /// History entries read per round at most (a channel far behind skips the oldest).
    static let historyLimit = 200

    private struct Health {
        var delivered = 0
        var pending = 0
        var failures = 0
        var lastDeliveredAt: Date?
        var lastError: String?
        var failingSince: Date?
        var nextAttemptAt: Date?
        /// The event failing now and how often it was refused for what it is.
        var refusedEvent: String?
        var refusals = 0
        var standby = false
    }

    public let environment: String
    public let channels: [any NotificationChannel]
    /// The history's newest entry when the daemon started: a channel never used before starts there.
    let startSequence: Int64
    let planner: NotificationPlanner
    let inputs: @Sendable () -> Inputs
    let describe: @Sendable (String) async -> NotificationEvent.Commit?
    let onStatus: @Sendable ([NotificationChannelStatus]) -> Void
    let backoff: Backoff
    let interval: Duration
    let logger: Logger
    private let doorbell = Doorbell()
    private let health: Mutex<[String: Health]>
    private let commits = Mutex<[String: NotificationEvent.Commit]>([:])
    /// One round at a time (the loop's, and a test's or the daemon's `deliverNow`).
    private let roundLock = AsyncLock()

    /// - Parameters:
    ///   - describe: the commit's short id, subject and author (from git), or nil.
    ///   - onStatus: called with the channels' status after every round (for `/status`).
    ///   - interval: how often a round runs when nothing rings (a retry after backoff is sooner).
    public init(
        environment: String, channels: [any NotificationChannel], startSequence: Int64, planner: NotificationPlanner,
        inputs: @escaping @Sendable () -> Inputs,
        describe: @escaping @Sendable (String) async -> NotificationEvent.Commit?,
        onStatus: @escaping @Sendable ([NotificationChannelStatus]) -> Void,
        backoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(300)), interval: Duration = .seconds(30), logger: Logger
    ) {
        self.environment = environment
        self.channels = channels
        self.startSequence = startSequence
        self.planner = planner
        self.inputs = inputs
        self.describe = describe
        self.onStatus = onStatus
        self.backoff = backoff
        self.interval = interval
        self.logger = logger
        self.health = Mutex(Dictionary(uniqueKeysWithValues: channels.map { ($0.name, Health()) }))
    }

    /// Asks for a round now (after a pass or an operator action changed the record).
    public func ring() { doorbell.ring() }

    public func run() async throws {
        for channel in channels {
            if let reason = channel.unusableReason {
                logger.error("Notification channel cannot send", metadata: ["channel": "\(channel.name)", "reason": "\(reason)"])
            }
        }
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await deliverNow()
                await doorbell.wait(upTo: nextWait(now: Date()))
            }
        } onGracefulShutdown: {
            self.doorbell.ring()
        }
    }

    /// One round over every channel that is not waiting out a backoff.
    public func deliverNow(now: Date = Date()) async {
        await roundLock.withLock {
            let inputs = self.inputs()
            // One read of the record for every channel: a channel's deliveries move only its own
            // marks, so what the others plan from stays true.
            var state: EnvironmentState?
            if let store = inputs.store {
                do {
                    state = try await store.load(environment: environment)
                } catch {
                    logger.warning("Notifications: the record could not be read", metadata: ["error": "\(error)"])
                }
            }
            for channel in channels {
                await round(channel, inputs: inputs, state: state, now: now)
            }
            publish()
        }
    }

    /// The channels' status as `/status` serves it.
    public func status() -> [NotificationChannelStatus] {
        let health = self.health.withLock { $0 }
        return channels.map { channel in
            let entry = health[channel.name] ?? Health()
            let state =
                entry.standby ? "standby" : (entry.failures > 0 || channel.unusableReason != nil) ? "failing" : "ok"
            return NotificationChannelStatus(
                name: channel.name, kind: channel.kind, target: channel.target, state: state, delivered: entry.delivered, pending: entry.pending,
                failures: entry.failures, lastDeliveredAt: entry.lastDeliveredAt, lastError: entry.lastError ?? channel.unusableReason,
                failingSince: entry.failingSince, nextAttemptAt: entry.nextAttemptAt)
        }
    }

    private func nextWait(now: Date) -> Duration {
        let due = health.withLock { $0.values.compactMap(\.nextAttemptAt).min() }
        guard let due else { return interval }
        let seconds = max(0.05, due.timeIntervalSince(now))
        return min(interval, .milliseconds(Int64(seconds * 1000)))
    }

    private func publish() {
        let status = status()
        for entry in status {
            Gauge(label: "reconciler_notifications_pending", dimensions: [("channel", entry.name)]).record(entry.pending)
        }
        onStatus(status)
    }

    // MARK: - One channel's round

    private func round(_ channel: any NotificationChannel, inputs: Inputs, state: EnvironmentState?, now: Date) async {
        guard let store = inputs.store else {
            update(channel) { $0.standby = true }
            return
        }
        update(channel) { $0.standby = false }
        if let due = health.withLock({ $0[channel.name]?.nextAttemptAt }), due > now { return }
        guard channel.unusableReason == nil, let state else { return }
        let planned: [NotificationPlanner.Planned]
        var marks: ChannelMarks
        do {
            if let stored = state.notifications?.channels[channel.name] {
                marks = stored
            } else {
                // A new channel starts from now: the past is in the history, not in Slack.
                marks = NotificationPlanner.initialMarks(state, startSequence: startSequence)
                try await save(marks, for: channel, in: store)
            }
            let entries = try await unsent(after: marks.historySequence, upTo: state.historySequence, in: store)
            planned = planner.plan(state: state, entries: entries, marks: marks, context: inputs.context, now: now)
        } catch {
            logger.warning("Notifications: the record could not be read", metadata: ["channel": "\(channel.name)", "error": "\(error)"])
            return
        }
        update(channel) { $0.pending = planned.count }
        for (index, item) in planned.enumerated() {
            var event = item.event
            if let revision = event.revision { event.commit = await commit(revision) }
            let rolloutID = event.rollout?.id
            do {
                // A deposed leader sends nothing: the new one delivers from the stored marks.
                try await store.proveLeadership()
                let message = try await channel.deliver(event, message: rolloutID.flatMap { marks.message(for: $0) })
                marks.apply(item.advance)
                if let message { marks.remember(message) }
                try await save(marks, for: channel, in: store)
                delivered(event, channel: channel, now: now, remaining: planned.count - index - 1)
            } catch let error as NotificationDeliveryError {
                if let progress = error.progress {
                    marks.remember(progress)
                    try? await save(marks, for: channel, in: store)
                }
                if failed(event, error: error, channel: channel, now: now) {
                    // Dropped: the marks move past it so the rest can go.
                    marks.apply(item.advance)
                    try? await save(marks, for: channel, in: store)
                    continue
                }
                return
            } catch {
                // Leadership is lost, or the store refused the marks: whoever delivers next
                // starts from the stored marks (an event sent but not marked goes again).
                logger.warning("Notifications: delivery marks not saved", metadata: ["channel": "\(channel.name)", "error": "\(error)"])
                return
            }
        }
    }

    /// The history entries after `sent` up to `newest` (the record's newest when it was read),
    /// oldest first. The store serves the newest entries, and more may be appended between the
    /// two reads: asked for with room to spare, then cut to the range, so none in it is skipped;
    /// later ones wait for the next round. Far behind, only the last `historyLimit` are sent.
    private func unsent(after sent: Int64, upTo newest: Int64, in store: any StateStore) async throws -> [HistoryEntry] {
        guard newest > sent else { return [] }
        let wanted = Int(min(Int64(Self.historyLimit), newest - sent))
        let read = try await store.history(environment: environment, limit: wanted + 100)
        return Array(read.filter { $0.sequence > sent && $0.sequence <= newest }.prefix(wanted).reversed())
    }

    private func save(_ marks: ChannelMarks, for channel: any NotificationChannel, in store: any StateStore) async throws {
        let name = channel.name
        try await store.update(environment: environment) { state in
            var ledger = state.notifications ?? NotificationLedger()
            ledger.channels[name] = marks
            state.notifications = ledger
            return []
        }
    }

    private func commit(_ revision: String) async -> NotificationEvent.Commit? {
        if let known = commits.withLock({ $0[revision] }) { return known }
        let described = await describe(revision)
        if let described {
            commits.withLock { cache in
                if cache.count > 200 { cache.removeAll() }
                cache[revision] = described
            }
        }
        return described ?? NotificationEvent.Commit(short: CommitID.short(revision), subject: nil, author: nil)
    }

    private func update(_ channel: any NotificationChannel, _ change: (inout Health) -> Void) {
        health.withLock { health in
            var entry = health[channel.name] ?? Health()
            change(&entry)
            health[channel.name] = entry
        }
    }

    private func delivered(_ event: NotificationEvent, channel: any NotificationChannel, now: Date, remaining: Int) {
        let recovered = health.withLock { $0[channel.name]?.failures ?? 0 } > 0
        update(channel) { entry in
            entry.delivered += 1
            entry.pending = remaining
            entry.failures = 0
            entry.lastDeliveredAt = now
            entry.lastError = nil
            entry.failingSince = nil
            entry.nextAttemptAt = nil
            entry.refusedEvent = nil
            entry.refusals = 0
        }
        if recovered { logger.info("Notification channel delivers again", metadata: ["channel": "\(channel.name)"]) }
        Counter(label: "reconciler_notifications_sent_total", dimensions: [("channel", channel.name), ("type", event.type.rawValue)]).increment()
    }

    /// Records a failed attempt. - Returns: whether the event is dropped.
    private func failed(_ event: NotificationEvent, error: NotificationDeliveryError, channel: any NotificationChannel, now: Date) -> Bool {
        Counter(label: "reconciler_notification_failures_total", dimensions: [("channel", channel.name)]).increment()
        let (failures, refusals) = health.withLock { health -> (Int, Int) in
            var entry = health[channel.name] ?? Health()
            entry.failures += 1
            entry.failingSince = entry.failingSince ?? now
            entry.lastError = error.message
            if error.permanent {
                entry.refusals = entry.refusedEvent == event.id ? entry.refusals + 1 : 1
                entry.refusedEvent = event.id
            }
            let delay = max(error.retryAfter ?? .zero, backoff.delay(afterFailures: entry.failures))
            entry.nextAttemptAt = now.addingTimeInterval(delay.seconds)
            health[channel.name] = entry
            return (entry.failures, entry.refusals)
        }
        if error.permanent, refusals >= Self.permanentAttempts {
            logger.error(
                "Notification dropped: the channel refused it \(refusals) times",
                metadata: ["channel": "\(channel.name)", "event": "\(event.id)", "type": "\(event.type.rawValue)", "error": "\(error.message)"])
            Counter(label: "reconciler_notifications_dropped_total", dimensions: [("channel", channel.name)]).increment()
            update(channel) {
                $0.refusedEvent = nil
                $0.refusals = 0
                $0.nextAttemptAt = nil
            }
            return true
        }
        let level: Logger.Level = failures == 1 || failures % 10 == 0 ? .warning : .debug
        logger.log(
            level: level, "Notification not delivered; retrying with backoff",
            metadata: ["channel": "\(channel.name)", "type": "\(event.type.rawValue)", "failures": "\(failures)", "error": "\(error.message)"])
        return false
    }
}
