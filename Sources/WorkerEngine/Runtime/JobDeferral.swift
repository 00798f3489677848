/// Thrown by a handler that cannot start yet for a reason that is not the job's fault (no free GPU
/// slot): the job goes back to wait for `after` without using up an attempt.
///
/// Why not a transient `JobFailure`: a burst of jobs over the GPU cap would exhaust its attempts
/// and end in the dead set while nothing was wrong with it.
public struct JobDeferral: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public let after: Duration
    /// When the job first had to wait (ms since the epoch), kept in the envelope across deferrals.
    public let waitingSince: Int64

    public init(reason: String, after: Duration, waitingSince: Int64) {
        self.reason = reason
        self.after = after
        self.waitingSince = waitingSince
    }

    public var description: String { "deferred: \(reason)" }
}
