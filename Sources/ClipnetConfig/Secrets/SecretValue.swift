import ClipnetFormats
import Crypto

/// A resolved secret. Every way Swift turns a value into text (`description`, interpolation,
/// `debugDescription`, `dump`, `Mirror`, `Encodable`) yields `<redacted:NAME>`, so a secret that
/// reaches a log line, an error, a status document or `plan` output stays unreadable. The clear
/// value is only available through `reveal()`, for the one place that must send it to a platform.
public struct SecretValue: Sendable, Hashable, Encodable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The reference name the value was resolved from.
    public let name: String
    /// `sha256:<hex>` of the value: what drift and isolation checks compare.
    public let fingerprint: String
    private let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
        fingerprint = Fingerprint.of(value)
    }

    /// The clear value, for sending to a platform API. Never log or store the result.
    public func reveal() -> String { value }

    public var description: String { "<redacted:\(name)>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Encodes as the string `<redacted:NAME>`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Equal values have equal fingerprints; the name takes part so two references stay apart.
    public static func == (lhs: SecretValue, rhs: SecretValue) -> Bool {
        lhs.name == rhs.name && lhs.fingerprint == rhs.fingerprint
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(fingerprint)
    }
}

/// SHA-256 fingerprints in the one textual form used everywhere: `sha256:` and 64 hex digits.
public enum Fingerprint {
    public static func of(_ text: String) -> String {
        "sha256:" + Hex.lowercase(SHA256.hash(data: Array(text.utf8)))
    }

    /// Whether `text` has the form of a fingerprint.
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst("sha256:".count)
        return hex.count == 64 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
