import ClipnetContracts
import KnownGoodStore
import Notifications
import Synchronization

/// A channel that keeps what it was sent, and fails or refuses on request.
final class RecordingChannel: NotificationChannel {
    struct Book {
        var delivered: [NotificationEvent] = []
        /// The next attempts fail as an outage would (retried).
        var failNext = 0
        /// Events of these types are refused for what they are (permanent).
        var refuse: Set<NotificationEvent.Kind> = []
        var attempts = 0
    }

    let name: String
    let book = Mutex(Book())

    init(name: String = "recording") {
        self.name = name
    }

    var kind: String { "webhook" }
    var target: String { "recording.invalid" }
    var unusableReason: String? { nil }

    var delivered: [NotificationEvent] { book.withLock { $0.delivered } }

    func deliver(_ event: NotificationEvent, message: RolloutMessage?) async throws -> RolloutMessage? {
        try book.withLock { book in
            book.attempts += 1
            if book.failNext > 0 {
                book.failNext -= 1
                throw NotificationDeliveryError("the receiver is down")
            }
            if book.refuse.contains(event.type) { throw NotificationDeliveryError("HTTP 400 refused the event", permanent: true) }
            book.delivered.append(event)
        }
        return event.rollout.map { message ?? RolloutMessage(rolloutID: $0.id, channel: "C1", messageID: "ts-\($0.id)") }
    }
}
