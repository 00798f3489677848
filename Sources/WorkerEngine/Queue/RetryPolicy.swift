/// How failed jobs come back: exponential backoff with full jitter over a ceiling, and a default
/// number of attempts for envelopes that do not say (`maxAttempts`).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included.
    public var defaultMaxAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// Fraction of the delay that is randomised (0...1); spreads a burst of failures out.
    public var jitter: Double

    public init(defaultMaxAttempts: Int = 5, initialDelay: Duration = .seconds(2), maximumDelay: Duration = .seconds(600), jitter: Double = 0.5) {
        self.defaultMaxAttempts = max(1, defaultMaxAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.jitter = min(1, max(0, jitter))
    }

    /// The delay before attempt `failures + 1`, after `failures` failed attempts (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let base = min(milliseconds(maximumDelay), milliseconds(initialDelay) * pow2(exponent))
        let random = base * jitter * Double.random(in: 0...1, using: &generator)
        return .milliseconds(Int64((base * (1 - jitter) + random).rounded()))
    }

    private func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
