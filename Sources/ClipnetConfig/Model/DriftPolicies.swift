/// The kinds of drift the reconciler detects. Each has a policy in the manifest, so an
/// operator decides per kind whether the reconciler repairs it or only reports it.
public enum DriftKind: String, Sendable, Hashable, Codable, CaseIterable {
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
public enum DriftAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Put the platform back to the desired state.
    case heal
    /// Show it in `/status` and the logs, change nothing.
    case report
}

/// One action per drift kind; the manifest must give all of them.
public struct DriftPolicies: Sendable, Hashable, Encodable {
    public var actions: [DriftKind: DriftAction]

    public init(actions: [DriftKind: DriftAction]) {
        self.actions = actions
    }

    /// The action for `kind`; `report` if somehow absent, since reporting changes nothing.
    public subscript(kind: DriftKind) -> DriftAction {
        actions[kind] ?? .report
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for kind in DriftKind.allCases {
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
