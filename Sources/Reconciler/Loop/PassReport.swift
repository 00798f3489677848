public import Foundation

/// How one reconcile pass ended: recorded on every exit path, shown as `lastReconcile` in status.
public struct PassReport: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        /// Every step proceeded, or one finished the pass early.
        case succeeded
        /// A step asked to run again after a delay.
        case requeued(after: Duration)
        /// Waiting on time (a build, a rate limit); run again after the delay.
        case waiting(retryAfter: Duration)
        /// A person must act; not retried until something changes.
        case stalled
        /// A retry may help.
        case failed

        /// The label used in metrics and in `/status`.
        public var label: String {
            switch self {
            case .succeeded: "succeeded"
            case .requeued: "requeued"
            case .waiting: "waiting"
            case .stalled: "stalled"
            case .failed: "failed"
            }
        }
    }

    public struct StepTiming: Sendable, Equatable {
        public let name: String
        public let duration: Duration
    }

    public let result: Result
    /// The step that ended the pass (the failing one, or the one that requeued or finished it).
    public let step: String?
    /// Why it ended there, for people.
    public let message: String?
    public let reason: ReconcileError.Reason?
    public let startedAt: Date
    public let duration: Duration
    public let steps: [StepTiming]

    public init(
        result: Result, step: String?, message: String?, reason: ReconcileError.Reason?, startedAt: Date, duration: Duration,
        steps: [StepTiming]
    ) {
        self.result = result
        self.step = step
        self.message = message
        self.reason = reason
        self.startedAt = startedAt
        self.duration = duration
        self.steps = steps
    }
}
