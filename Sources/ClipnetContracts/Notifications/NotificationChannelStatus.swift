public import Foundation

/// How one notification channel is doing, as `/status` serves it (`notifications`) and the page
/// shows it: a channel that cannot deliver is visible here and in `/metrics`, never in a rollout.
public struct NotificationChannelStatus: Codable, Sendable, Equatable {
    /// The channel's name in the daemon configuration.
    public var name: String
    /// `slack`, `webhook` or `github-deployments`.
    public var kind: String
    /// Where it goes, without credentials: the Slack channel, the webhook's host.
    public var target: String
    /// `ok`, `failing` (retrying with backoff) or `standby` (another replica delivers).
    public var state: String
    /// Events delivered by this process.
    public var delivered: Int
    /// Events not yet delivered (what a failing channel owes).
    public var pending: Int
    /// Failed attempts in a row.
    public var failures: Int
    public var lastDeliveredAt: Date?
    public var lastError: String?
    public var failingSince: Date?
    public var nextAttemptAt: Date?

    public init(
        name: String, kind: String, target: String, state: String, delivered: Int = 0, pending: Int = 0, failures: Int = 0,
        lastDeliveredAt: Date? = nil, lastError: String? = nil, failingSince: Date? = nil, nextAttemptAt: Date? = nil
    ) {
        self.name = name
        self.kind = kind
        self.target = target
        self.state = state
        self.delivered = delivered
        self.pending = pending
        self.failures = failures
        self.lastDeliveredAt = lastDeliveredAt
        self.lastError = lastError
        self.failingSince = failingSince
        self.nextAttemptAt = nextAttemptAt
    }
}
