/// The four delivery figures (DORA) over recent windows, as `/status` serves them and the page
/// shows them: computed from the history, so they survive restarts and replicas agree.
public struct DeliverySummary: Codable, Sendable, Equatable {
    public struct Window: Codable, Sendable, Equatable {
        /// The window: the last `days` days up to the summary's time.
        public var days: Int
        /// Rollouts of a new revision that became known-good.
        public var deployments: Int
        public var deploymentsPerDay: Double
        /// Median of commit (author) time to known-good, in seconds; nil without deployments.
        public var leadTimeSeconds: Double?
        /// Rollouts of a new revision that failed (rolled back or not).
        public var failedRollouts: Int
        /// `failedRollouts / (deployments + failedRollouts)`; nil when none finished.
        public var changeFailureRate: Double?
        /// Times the environment served a known-good revision again after a failure.
        public var restores: Int
        /// Median of failure to serving known-good again, in seconds; nil without restores.
        public var timeToRestoreSeconds: Double?

        public init(
            days: Int, deployments: Int, deploymentsPerDay: Double, leadTimeSeconds: Double?, failedRollouts: Int, changeFailureRate: Double?,
            restores: Int, timeToRestoreSeconds: Double?
        ) {
            self.days = days
            self.deployments = deployments
            self.deploymentsPerDay = deploymentsPerDay
            self.leadTimeSeconds = leadTimeSeconds
            self.failedRollouts = failedRollouts
            self.changeFailureRate = changeFailureRate
            self.restores = restores
            self.timeToRestoreSeconds = timeToRestoreSeconds
        }
    }

    public var windows: [Window]

    public init(windows: [Window]) {
        self.windows = windows
    }
}
