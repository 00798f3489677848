/// Durations as the daemon configuration writes them: `50ms`, `30s`, `5m`, `1h`, `1.5s`.
///
/// Why not `Double` then `Int64`: `9999999999999999h` overflowed that conversion and trapped the
/// daemon; the value is compared with the bounds while still a `Double` and never converted
/// unless it fits.
public enum DurationText {
    private static let units: [(suffix: String, milliseconds: Double)] = [("ms", 0.001 * 1000), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]

    /// The duration written, or nil when the text is not a number with a unit or is beyond what a
    /// `Duration` of milliseconds can hold.
    public static func parse(_ text: String) -> Duration? {
        guard let milliseconds = milliseconds(text), milliseconds < 9.0e15 else { return nil }
        return .milliseconds(Int64(milliseconds.rounded()))
    }

    /// The written amount in milliseconds (finite, not negative), however large.
    static func milliseconds(_ text: String) -> Double? {
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            // Digits and one optional fraction only: no sign, exponent, hex, inf or nan.
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != ".",
                let value = Double(number), value.isFinite
            else { continue }
            return value * unit.milliseconds
        }
        return nil
    }

    /// `250ms`, `30s`, `5m`, `24h`: the largest whole unit, for messages.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
