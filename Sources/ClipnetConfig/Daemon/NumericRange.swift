/// Range checks for numbers given on a command line, with the message a person needs.
///
/// Why: `--grace-seconds 1e300` and `--heartbeat-ttl-seconds nan` trapped in the conversion to
/// `Duration`; a flag is checked (finite, within bounds) before it is converted, and the message
/// names the flag, the bounds and what was found.
public enum NumericRange {
    /// nil when `value` is a finite number of seconds within `range`; else the complaint.
    public static func problem(seconds value: Double, flag: String, range: ClosedRange<Double>) -> String? {
        guard value.isFinite, range.contains(value) else {
            return "\(flag) must be a number of seconds from \(text(range.lowerBound)) to \(text(range.upperBound)); found \(value)"
        }
        return nil
    }

    /// nil when `value` is within `range`; else the complaint.
    public static func problem(integer value: Int, flag: String, range: ClosedRange<Int>) -> String? {
        range.contains(value) ? nil : "\(flag) must be an integer from \(range.lowerBound) to \(range.upperBound); found \(value)"
    }

    /// A checked number of seconds as a `Duration` (milliseconds); saturates instead of trapping.
    public static func duration(seconds value: Double) -> Duration {
        guard value.isFinite else { return value > 0 ? .seconds(Int64.max / 1000) : .zero }
        let milliseconds = (value * 1000).rounded()
        guard milliseconds < 9.0e15 else { return .milliseconds(Int64(9.0e15)) }
        return .milliseconds(Int64(max(0, milliseconds)))
    }

    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
    }
}
