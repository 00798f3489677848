public import Foundation

/// The statuses a simulated job or deployment goes through, each held for a set time, computed
/// from the time elapsed since it started.
///
/// Why computed rather than driven by timers: emulator state then advances only when someone looks
/// at it, with no background tasks to start, stop or race, and a test with short timings sees the
/// same sequence as the demo with long ones.
public struct PhasePlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var status: String
        /// How long the status lasts; nil means it lasts for ever (a terminal or hung status).
        public var duration: Duration?

        public init(_ status: String, for duration: Duration?) {
            self.status = status
            self.duration = duration
        }
    }

    public var steps: [Step]

    public init(_ steps: [Step]) {
        precondition(!steps.isEmpty, "a PhasePlan needs at least one step")
        self.steps = steps
    }

    /// The status after `elapsed`: the last step is held once every earlier one has passed.
    public func status(after elapsed: Duration) -> String {
        var remaining = elapsed
        for step in steps.dropLast() {
            guard let duration = step.duration else { return step.status }
            if remaining < duration { return step.status }
            remaining -= duration
        }
        return steps[steps.count - 1].status
    }

    /// The first of `statuses` the plan reaches and when, relative to the start: how a
    /// deployment's plan ends (its terminal status), for webhooks and benchmarks.
    public func first(of statuses: [String]) -> (status: String, offset: Duration)? {
        statuses.lazy.compactMap { status in start(of: status).map { (status, $0) } }.first
    }

    /// When the step named `status` begins, relative to the start; nil if the plan never reaches it.
    public func start(of status: String) -> Duration? {
        var offset = Duration.zero
        for step in steps {
            if step.status == status { return offset }
            guard let duration = step.duration else { return nil }
            offset += duration
        }
        return nil
    }
}

extension Date {
    /// The time since this date as a `Duration` (zero if it lies in the future).
    public func elapsed(until now: Date = Date()) -> Duration {
        .milliseconds(Int64(max(0, now.timeIntervalSince(self)) * 1000))
    }

    /// This date plus `duration`.
    public func adding(_ duration: Duration) -> Date {
        addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// Random identifiers in the platforms' formats.
public enum EmulatorIDs {
    /// `prefix` + 24 lower-case alphanumerics (Vercel: `dpl_…`, `alias_…`, `env_…`).
    public static func prefixed(_ prefix: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<24).map { _ in alphabet.randomElement()! })
    }

    /// A lower-case UUID (Railway ids).
    public static func uuid() -> String { UUID().uuidString.lowercased() }
}
