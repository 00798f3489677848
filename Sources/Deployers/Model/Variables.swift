import ClipnetFormats
import Crypto
import Foundation

/// A variable the manifest wants on a service. The value is a secret or configuration in clear,
/// so `description` never shows it.
public struct DesiredVariable: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Configuration that may be read back (Vercel type `plain`), so drift can compare values.
        case plain
        /// A secret (Vercel type `sensitive`: never readable after creation).
        case secret
    }

    public var key: String
    public var value: String
    public var kind: Kind

    public init(key: String, value: String, kind: Kind = .secret) {
        self.key = key
        self.value = value
        self.kind = kind
    }

    public var description: String { "\(key)=<redacted>" }
}

/// A variable as the platform has it. The value is never kept: only its SHA-256, taken as soon as
/// the response is read, and only when the platform returns the value at all.
public struct ObservedVariable: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    /// Hex SHA-256 of the value; nil when the platform does not return values of this type
    /// (Vercel `sensitive`, and `encrypted` which the list returns as ciphertext).
    public var valueSHA256: String?
    /// The platform's type (Vercel `plain|encrypted|sensitive|system`); nil on Railway.
    public var type: String?
    /// Where it applies: Vercel targets (`production`, `preview`, …); the environment id on Railway.
    public var targets: [String]
    /// What the client's `ValueInspector` derived from the value while it was read (for the
    /// isolation check: fingerprints of the identifiers it names); empty without an inspector or
    /// when the value cannot be read back.
    public var identifierFingerprints: Set<String>

    public init(key: String, valueSHA256: String?, type: String?, targets: [String], identifierFingerprints: Set<String> = []) {
        self.key = key
        self.valueSHA256 = valueSHA256
        self.type = type
        self.targets = targets
        self.identifierFingerprints = identifierFingerprints
    }

    /// Whether `value` is what the platform has (false when the value cannot be read back).
    public func matches(_ value: String) -> Bool {
        valueSHA256 == VariableHash.sha256(value)
    }

    public var description: String { "\(key) (\(type ?? "variable"), sha256 \(valueSHA256.map { String($0.prefix(12)) } ?? "unreadable"))" }
}

/// Hashes variable values so that nothing downstream holds them in clear.
public enum VariableHash {
    /// Lower-case hex SHA-256 of the UTF-8 bytes of `value`.
    public static func sha256(_ value: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(value.utf8)))
    }
}

/// Derives fingerprints from a variable's value at the moment it is read, so checks that need
/// more than a hash of the whole value (which production resource a URL names) can run without
/// anything downstream holding the value. The reconciler passes the isolation policy's
/// normaliser; the value itself is dropped as soon as the inspector returns.
public struct ValueInspector: Sendable {
    public let fingerprints: @Sendable (String) -> Set<String>

    public init(_ fingerprints: @escaping @Sendable (String) -> Set<String>) {
        self.fingerprints = fingerprints
    }
}
