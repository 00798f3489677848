import Foundation
import Synchronization

/// One webhook call as a platform would make it.
public struct WebhookDelivery: Sendable {
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(url: String, headers: [(String, String)], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Sends a delivery; whoever starts the emulator supplies it (the emulators have no HTTP client).
public typealias WebhookDeliver = @Sendable (WebhookDelivery) async -> Void

/// Where an emulator sends its webhooks, and how.
public struct WebhookTarget: Sendable {
    public var url: String
    /// The signing secret (Vercel); Railway's webhooks are unsigned and ignore it.
    public var secret: String?
    public var deliver: WebhookDeliver

    public init(url: String, secret: String? = nil, deliver: @escaping WebhookDeliver) {
        self.url = url
        self.secret = secret
        self.deliver = deliver
    }
}

/// The push side of an emulator: each event is sent once, at the moment the platform's state
/// reaches it.
///
/// Why timers here when `PhasePlan` computes state without any: a webhook is the platform
/// speaking first, at the moment of the change, and a test of how fast the reconciler reacts
/// needs exactly that moment. Each event is claimed by a key (`<deployment>/<status>`) so a
/// rescan never sends it twice; the task re-reads the state when it fires and sends nothing if
/// the deployment went another way meanwhile (cancelled before it finished).
final class WebhookOutbox: Sendable {
    /// What an event due now amounts to, read from the state when its timer fires.
    enum Firing: Sendable {
        case send(WebhookDelivery)
        /// The state has not reached it yet (timers and the state's millisecond clock round
        /// differently): look again in a moment.
        case notYet
        /// It went another way; nothing is sent.
        case drop
    }

    private struct Book {
        var target: WebhookTarget?
        /// When the target was set: what happened before is not sent (a platform's webhook
        /// reports changes from its creation on, not the past).
        var since = Date.distantFuture
        var claimed: Set<String> = []
        /// The events waiting for their moment, by key; each removes itself once done.
        var tasks: [String: Task<Void, Never>] = [:]
        var sent = 0
    }

    private let book = Mutex(Book())

    var target: WebhookTarget? { book.withLock { $0.target } }
    var sentCount: Int { book.withLock { $0.sent } }

    func configure(_ target: WebhookTarget?) {
        book.withLock {
            $0.target = target
            $0.since = Date()
        }
    }

    /// Schedules each deployment's event (keyed `<deployment>/<status>`) not claimed before;
    /// `make` builds its delivery when it fires.
    func schedule(
        _ events: [(deployment: String, status: String, at: Date)],
        _ make: @escaping @Sendable (_ deployment: String, _ status: String, WebhookTarget) -> Firing
    ) {
        for event in events {
            schedule("\(event.deployment)/\(event.status)", at: event.at) { make(event.deployment, event.status, $0) }
        }
    }

    /// Schedules the event `key` for `date` unless it was claimed before; `make` builds the
    /// delivery when it fires.
    func schedule(_ key: String, at date: Date, _ make: @escaping @Sendable (WebhookTarget) -> Firing) {
        book.withLock { book in
            guard let target = book.target, book.claimed.insert(key).inserted, date >= book.since else { return }
            book.tasks[key] = Task { [weak self] in
                defer { _ = self?.book.withLock { $0.tasks.removeValue(forKey: key) } }
                let delay = date.timeIntervalSinceNow
                if delay > 0 { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
                for _ in 0..<200 {
                    guard !Task.isCancelled else { return }
                    switch make(target) {
                    case .send(let delivery):
                        await target.deliver(delivery)
                        self?.book.withLock { $0.sent += 1 }
                        return
                    case .drop:
                        return
                    case .notYet:
                        try? await Task.sleep(for: .milliseconds(2))
                    }
                }
            }
        }
    }

    /// Drops every pending event (the emulator stops).
    func cancelAll() {
        book.withLock { book in
            for task in book.tasks.values { task.cancel() }
            book.tasks.removeAll()
        }
    }

    deinit { cancelAll() }
}
