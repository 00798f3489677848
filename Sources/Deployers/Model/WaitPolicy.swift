public import AsyncPrimitives

/// How long and how often to poll a deployment until it is terminal.
public struct WaitPolicy: Sendable, Equatable {
    /// Give up after this long; the deployment is then left as it is (the caller may cancel it).
    public var deadline: Duration
    /// Delay between polls, growing from `initial` to `maximum`.
    public var backoff: Backoff

    public init(
        deadline: Duration = .seconds(50 * 60), backoff: Backoff = Backoff(initial: .seconds(2), maximum: .seconds(15), multiplier: 1.5, jitter: 0.2)
    ) {
        self.deadline = deadline
        self.backoff = backoff
    }
}
