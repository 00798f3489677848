public import ClipnetContracts

/// What the reconciler does about each kind of drift, one action per kind; the manifest must
/// give all of them. The kinds and actions are the shared contract's (`ClipnetContracts`), so
/// the manifest, the detector and status cannot disagree on a name.
public struct DriftPolicies: Sendable, Hashable, Encodable {
    /// The kinds of drift, as the manifest names them (one list: `ClipnetContracts.DriftKind`).
    public typealias Kind = DriftKind
    /// What to do about one kind of drift (`ClipnetContracts.DriftPolicy`).
    public typealias Action = DriftPolicy

    public var actions: [Kind: Action]

    public init(actions: [Kind: Action]) {
        self.actions = actions
    }

    /// The action for `kind`; `report` if somehow absent, since reporting changes nothing.
    public subscript(kind: Kind) -> Action {
        actions[kind] ?? .report
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
