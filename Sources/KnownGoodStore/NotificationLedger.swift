import Foundation

/// What the notification channels have delivered, per channel, stored with the environment.
///
/// Why in the store: delivery is edge-triggered (one message per rollout, one event per history
/// entry), and the edges must survive a restart and a change of leader. Each channel keeps its
/// own marks, so a failing Slack does not hold a webhook back.
public struct NotificationLedger: Codable, Sendable, Equatable, Hashable {
    public var channels: [String: ChannelMarks]

    public init(channels: [String: ChannelMarks] = [:]) {
        self.channels = channels
    }
}

/// One channel's delivery marks. Each is moved only after the channel accepted the event, so a
/// crash in between sends it again (at-least-once) and nothing is skipped.
public struct ChannelMarks: Codable, Sendable, Equatable, Hashable {
    /// How many rollouts' messages are remembered (older ones are not updated again).
    public static let messageLimit = 20

    /// History entries up to this sequence have been delivered.
    public var historySequence: Int64
    /// `<rollout id>/<phase>` of the last in-flight phase delivered.
    public var rolloutPhase: String?
    /// The stall last reported (its message), nil when passes run.
    public var stalled: String?
    /// The reported drift last sent, as its items' descriptions joined; nil when none.
    public var driftReported: String?
    /// The channel's message for each recent rollout, newest first.
    public var messages: [RolloutMessage]

    public init(
        historySequence: Int64, rolloutPhase: String? = nil, stalled: String? = nil, driftReported: String? = nil, messages: [RolloutMessage] = []
    ) {
        self.historySequence = historySequence
        self.rolloutPhase = rolloutPhase
        self.stalled = stalled
        self.driftReported = driftReported
        self.messages = messages
    }

    public func message(for rolloutID: String) -> RolloutMessage? {
        messages.first { $0.rolloutID == rolloutID }
    }

    /// Records (or replaces) a rollout's message, keeping the newest `messageLimit`.
    public mutating func remember(_ message: RolloutMessage) {
        messages.removeAll { $0.rolloutID == message.rolloutID }
        messages.insert(message, at: 0)
        if messages.count > Self.messageLimit { messages.removeLast(messages.count - Self.messageLimit) }
    }
}

/// A rollout's message in a channel that edits messages (Slack: channel id and `ts`).
public struct RolloutMessage: Codable, Sendable, Equatable, Hashable {
    public var rolloutID: String
    public var channel: String
    public var messageID: String
    /// Whether the failed build's log lines were posted in the message's thread.
    public var logPosted: Bool

    public init(rolloutID: String, channel: String, messageID: String, logPosted: Bool = false) {
        self.rolloutID = rolloutID
        self.channel = channel
        self.messageID = messageID
        self.logPosted = logPosted
    }
}
