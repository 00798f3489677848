public import Foundation

/// The last lines a failed build or deployment printed, kept with the rollout it failed, so the
/// page, `/status`, `reconciler status` and a notification can show the build's own words
/// instead of "ended FAILED". The lines are scrubbed of every secret the reconciler knows before
/// they are stored.
public struct FailureLog: Codable, Sendable, Equatable, Hashable {
    public var rolloutID: String
    public var service: ServiceName
    public var deployment: String
    /// The platform's status (`FAILED`, `CRASHED`, `ERROR`).
    public var status: String
    /// Oldest first, at most `reconcile.failureLogLines` (50) lines of at most 500 characters.
    public var lines: [String]
    /// The deployment in the platform's dashboard (Vercel's inspector; Railway's service page).
    public var link: String?
    public var capturedAt: Date

    public init(
        rolloutID: String, service: ServiceName, deployment: String, status: String, lines: [String], link: String?, capturedAt: Date
    ) {
        self.rolloutID = rolloutID
        self.service = service
        self.deployment = deployment
        self.status = status
        self.lines = lines
        self.link = link
        self.capturedAt = capturedAt
    }
}
