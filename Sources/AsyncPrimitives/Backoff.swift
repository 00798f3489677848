import Foundation

/// Capped exponential backoff with jitter, shared by every retry loop (git fetches, platform calls,
/// reconnects), so that they all behave and are configured alike.
public struct Backoff: Sendable, Equatable {
    /// Delay after the first failure.
    public var initial: Duration
    /// Upper bound for any single delay, before jitter.
    public var maximum: Duration
    /// Growth per consecutive failure.
    public var multiplier: Double
    /// Fraction of the delay that is randomised (0.2 = +/- 20 %), so replicas do not retry in step.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(60), multiplier: Double = 2, jitter: Double = 0.2) {
        precondition(multiplier >= 1, "Backoff.multiplier must be >= 1")
        precondition((0...1).contains(jitter), "Backoff.jitter must be within 0...1")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The delay to wait after `failures` consecutive failures (1 for the first failure).
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> Duration {
        let exponent = Double(max(0, failures - 1))
        let base = min(initial.seconds * pow(multiplier, exponent), maximum.seconds)
        let spread = base * jitter
        let jittered = spread > 0 ? Double.random(in: (base - spread)...(base + spread), using: &generator) : base
        return .nanoseconds(Int64(max(0, jittered) * 1e9))
    }

    /// `interval` randomised by `fraction` either way: the poll loops' jittered period.
    public static func jittered(_ interval: Duration, by fraction: Double) -> Duration {
        let seconds = interval.seconds
        let spread = seconds * max(0, min(1, fraction))
        let value = spread > 0 ? Double.random(in: (seconds - spread)...(seconds + spread)) : seconds
        return .nanoseconds(Int64(max(0, value) * 1e9))
    }
}

extension Duration {
    /// The duration as fractional seconds, for arithmetic and for logs.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration as fractional milliseconds, for status documents.
    public var milliseconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) * 1000 + Double(attoseconds) / 1e15
    }

    /// Whole nanoseconds, for swift-metrics timers.
    public var nanoseconds: Int64 {
        let (whole, attoseconds) = components
        return whole * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
