import ClipnetContracts

/// Production's default for drift is to report it, not heal it: people may hot-fix production
/// during an incident, and the reconciler must not quietly undo that. So in production the base
/// manifest's `heal` actions read as `report`; production's own file may still say `heal` for a
/// kind, which is then a decision written where production's reviewers see it.
enum ProductionDrift {
    /// `base` with each `heal` under `drift:` turned into `report` (positions kept, so a
    /// diagnostic still points at the base file's line).
    static func reportingOnly(_ base: ConfigNode) -> ConfigNode {
        guard var root = base.entries, let index = root.firstIndex(where: { $0.key == "drift" }),
            let kinds = root[index].value.entries
        else { return base }
        let reported = kinds.map { entry -> ConfigNode.Entry in
            guard entry.value.scalarText == DriftPolicy.heal.rawValue else { return entry }
            var copy = entry
            copy.value = ConfigNode(kind: .scalar(DriftPolicy.report.rawValue, .string), location: entry.value.location)
            return copy
        }
        root[index].value = ConfigNode(kind: .mapping(reported), location: root[index].value.location)
        return ConfigNode(kind: .mapping(root), location: base.location)
    }
}
