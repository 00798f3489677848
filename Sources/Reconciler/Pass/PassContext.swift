import ClipnetConfig
import DriftDetector
import Foundation
import KnownGoodStore

/// What the steps of one pass share: each step reads what earlier steps learned and adds its own.
public struct PassContext: Sendable {
    public let triggers: Set<ReconcileTrigger>
    /// `reconciler plan`: steps record what they would do in `actions` and change nothing.
    public let dryRun: Bool
    /// The store this pass writes through (fenced while this replica leads).
    public let store: any StateStore

    /// The environment's record, as last loaded or committed by this pass.
    public var state = EnvironmentState()
    /// The watched branch's head, as last fetched.
    public var head: String?
    /// The pin's revision, else the head.
    public var desiredRevision: String?
    /// What this pass works toward: the desired revision, the revision of a rollout still rolling
    /// back, or, when the desired revision failed, the revision the environment settled at. Nil
    /// when nothing can be done until someone acts (see `blockedBy`).
    public var target: String?
    /// The revision whose manifest the pass loaded (`target`, else the desired revision).
    public var manifestRevision: String?
    public var preflight: ConfigurationPreflight.Result?
    public var platforms: Platforms?
    public var observation: Observation?
    public var drift: [Drift] = []
    /// What the pass did, or in a dry run what it would do, in order.
    public var actions: [PlanDocument.Action] = []
    /// Why nothing is rolled out although the environment is not at the desired revision.
    public var blockedBy: String?
    /// Set by steps that changed a platform (deploy, alias, re-point, heal): the observation
    /// taken at the start of the pass is then stale, and is taken again for status.
    public var platformsChanged = false

    public init(triggers: Set<ReconcileTrigger>, dryRun: Bool = false, store: any StateStore) {
        self.triggers = triggers
        self.dryRun = dryRun
        self.store = store
    }

    /// The rollout in flight, if any.
    public var activeRollout: RolloutRecord? {
        state.rollout.flatMap { $0.isActive ? $0 : nil }
    }

    /// Records an action that changed a platform.
    mutating func did(_ action: String, _ service: String? = nil, _ detail: String) {
        platformsChanged = true
        note(action, service, detail)
    }

    mutating func note(_ action: String, _ service: String? = nil, _ detail: String) {
        actions.append(PlanDocument.Action(action: action, service: service, detail: detail))
    }
}
