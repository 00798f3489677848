/// What the reconciler does about each kind of drift, one action per kind; the manifest must
/// give all of them. The kinds and actions are nested here (rather than top-level) because the
/// DriftDetector module has its own `DriftKind` and `DriftPolicy`; the raw values are the same,
/// so the reconciler maps between them with `rawValue`.
public struct DriftPolicies: Sendable, Hashable, Encodable {
    /// The kinds of drift the reconciler detects, as the manifest names them.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A service runs another revision than the desired one.
        case revision
        /// The API and the worker run different version tags.
        case versionSkew
        /// The frontend domain points at another deployment than the one recorded.
        case alias
        /// Platform variables differ from the manifest's.
        case variables
        /// A service, database or domain named by the manifest is missing or extra.
        case topology
        /// A platform's own git auto-deploy is on where the manifest wants it off (or the reverse).
        case autoDeploy
        /// A live variable names a resource of the other environment.
        case isolation
    }

    /// What to do about one kind of drift.
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        /// Put the platform back to the desired state.
        case heal
        /// Show it in `/status` and the logs, change nothing.
        case report
    }

    public var actions: [Kind: Action]

    public init(actions: [Kind: Action]) {
        self.actions = actions
    }

    /// The action for `kind`; `report` if somehow absent, since reporting changes nothing.
    public subscript(kind: Kind) -> Action {
        actions[kind] ?? .report
    }

    /// The action for a kind named by its raw value (`DriftDetector.DriftKind.rawValue`), or nil
    /// for a name the manifest format does not know.
    public func action(forKindNamed name: String) -> Action? {
        Kind(rawValue: name).map { self[$0] }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for kind in Kind.allCases {
            try container.encode(self[kind], forKey: DynamicKey(kind.rawValue))
        }
    }
}

/// A coding key made from a string, for mappings whose keys are data.
struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
