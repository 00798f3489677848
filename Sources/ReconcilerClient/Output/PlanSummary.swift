public import ClipnetContracts

/// `reconciler plan`: what a reconcile would do now, in order; nothing is applied.
public enum PlanSummary {
    public static func render(_ plan: PlanDocument) -> String {
        var lines = ["\(plan.environment): desired \(plan.desiredRevision ?? "none yet") (\(plan.source))"]
        if let blocked = plan.blockedBy {
            lines.append("Nothing would roll out: \(blocked)")
        }
        if plan.actions.isEmpty {
            if plan.blockedBy == nil { lines.append("Nothing to do: the environment is at the desired state.") }
        } else {
            lines.append("A reconcile would:")
            for (index, action) in plan.actions.enumerated() {
                lines.append("  \(index + 1). \(action.action)\(action.service.map { " [\($0)]" } ?? ""): \(action.detail)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
