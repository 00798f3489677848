public import Foundation

/// An operator's pin: the environment stays at `revision` whatever lands on the branch.
public struct PinRecord: Codable, Sendable, Equatable, Hashable {
    public var revision: String
    public var reason: String
    public var by: String
    public var at: Date

    public init(revision: String, reason: String, by: String, at: Date) {
        self.revision = revision
        self.reason = reason
        self.by = by
        self.at = at
    }
}
