public import ClipnetContracts
public import KnownGoodStore

/// One place notifications go. A channel only decides how an event looks and how it is sent;
/// what is sent, and when, is the planner's and the `Notifier`'s.
public protocol NotificationChannel: Sendable {
    /// The channel's name in the configuration, status and metrics.
    var name: String { get }
    /// `slack`, `webhook` or `github-deployments`.
    var kind: String { get }
    /// Where it goes, without credentials (for status).
    var target: String { get }
    /// Why the channel cannot send at all (its token is not set), else nil.
    var unusableReason: String? { get }

    /// Sends one event.
    /// - Parameter message: for an event of a rollout, the rollout's message in this channel if
    ///   one was posted before (a channel that edits messages updates it).
    /// - Returns: the rollout's message as it stands now, for a channel that keeps one; nil otherwise.
    /// - Throws: `NotificationDeliveryError`.
    func deliver(_ event: NotificationEvent, message: RolloutMessage?) async throws -> RolloutMessage?
}

/// Why a delivery did not happen, and whether trying again can help.
public struct NotificationDeliveryError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The receiver refused this event for what it is (a 4xx other than 408/429, Slack's
    /// `invalid_blocks`): sending it again will not help.
    public var permanent: Bool
    /// How long the receiver asked us to wait (`Retry-After`).
    public var retryAfter: Duration?
    /// The rollout's message when the event was posted but a later step failed (the thread
    /// reply): remembered, so the retry edits it instead of posting a second one.
    public var progress: RolloutMessage?

    public init(_ message: String, permanent: Bool = false, retryAfter: Duration? = nil, progress: RolloutMessage? = nil) {
        self.message = message
        self.permanent = permanent
        self.retryAfter = retryAfter
        self.progress = progress
    }

    public var description: String { message }
}
