/// A full commit id: 40 lowercase hex characters, the only form revisions take in records and
/// status documents; and the rules for comparing the ids people type and platforms report.
///
/// Why one home: the watcher, the daemon (is the service at the desired revision?), the deployers
/// (both platforms want the full sha), the status page and the CLI (`--wait`: has the environment
/// settled?) must agree on what a commit id is and when two ids name the same commit. Records keep
/// ids as plain strings in their JSON; comparisons go through `same`.
public struct CommitID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let hex: String

    /// Accepts exactly 40 hex characters (any case); anything else is not a full commit id.
    public init?(_ text: String) {
        let lower = text.lowercased()
        guard lower.utf8.count == 40, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        hex = lower
    }

    /// The first 12 characters, for logs and people.
    public var short: String { Self.short(hex) }
    public var description: String { hex }
    public static func < (lhs: CommitID, rhs: CommitID) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = CommitID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 40-hex commit id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    // MARK: - Ids as text (records, platform reports, what people type)

    /// How many characters a short id needs before it may match a longer one by prefix: git's
    /// default abbreviation, below which ids are too ambiguous to compare (platforms sometimes
    /// report 7-character tags).
    public static let minimumPrefix = 7

    /// Whether two ids name the same commit: equal ignoring case, or one a prefix of the other
    /// when the shorter has at least `minimumPrefix` characters. Nil never matches.
    public static func same(_ a: String?, _ b: String?) -> Bool {
        guard let a = a?.lowercased(), let b = b?.lowercased() else { return false }
        guard min(a.count, b.count) >= minimumPrefix else { return a == b }
        return a.hasPrefix(b) || b.hasPrefix(a)
    }

    /// The first 12 characters of any id, for messages and tables.
    public static func short(_ revision: String) -> String { String(revision.prefix(12)) }
}
