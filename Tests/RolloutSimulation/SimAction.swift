import ClipnetContracts
import Deployers

/// One step of a simulated sequence. A sequence of these, with the seed that made it, replays
/// exactly: every source of chance (faults, fates, timing) is an explicit step.
public enum SimAction: Sendable, Hashable, CustomStringConvertible {
    /// A commit lands on the branch, with what it will do when deployed.
    case commit(CommitFate)
    /// The leader runs one reconcile pass.
    case pass
    /// Time passes.
    case tick(seconds: Int)
    /// An operator pins the n-th commit (modulo the commits there are).
    case pin(Int)
    case unpin
    /// `reconciler rollback` without `--to`.
    case rollback
    /// `reconciler rollback --to` the n-th known-good record (modulo).
    case rollbackTo(Int)
    case retry
    /// `reconciler plan`, on the leader or on a standby.
    case plan(onStandby: Bool)
    /// A platform fault aimed at the next matching call.
    case fault(SimFault)
    /// The daemon is killed and started again (state reloaded from the store).
    case restart
    /// Another replica takes over leadership between passes.
    case takeover
    /// Another replica takes over in the middle of the leader's next change.
    case takeoverMidPass
    /// The deposed replica, not yet aware, runs a pass.
    case deposedPass
    /// GitHub goes down (the release gate cannot read CI) or comes back.
    case ciOutage(Bool)
    /// Someone asks GitHub to deploy the n-th commit (modulo) to the environment: a new
    /// deployment request, which marks it.
    case request(Int)
    /// `reconciler unmark`.
    case unmark

    public var description: String {
        switch self {
        case .commit(let fate): "commit(\(fate.rawValue))"
        case .pass: "pass"
        case .tick(let seconds): "tick(\(seconds)s)"
        case .pin(let n): "pin(#\(n))"
        case .unpin: "unpin"
        case .rollback: "rollback"
        case .rollbackTo(let n): "rollback --to(#\(n))"
        case .retry: "retry"
        case .plan(let standby): standby ? "plan(standby)" : "plan"
        case .fault(let fault): "fault(\(fault))"
        case .restart: "restart"
        case .takeover: "takeover"
        case .takeoverMidPass: "takeoverMidPass"
        case .deposedPass: "deposedPass"
        case .ciOutage(let down): down ? "ciOutage" : "ciBack"
        case .request(let n): "request(#\(n))"
        case .unmark: "unmark"
        }
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same sequence on
/// every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SimAction {
    /// A random sequence of `length` steps from `seed`, weighted toward passes and time (what
    /// moves a rollout), with commits, operator actions, faults, restarts and takeovers between.
    public static func sequence(seed: UInt64, length: Int) -> [SimAction] {
        var random = SeededGenerator(seed: seed)
        var actions: [SimAction] = [.commit(.good), .pass]
        let operations = ["observe", "deployment", "deploy", "repoint", "upsertVariables", "cancel"]
        while actions.count < length {
            let roll = Int.random(in: 0..<101, using: &random)
            let action: SimAction
            switch roll {
            case 0..<30: action = .pass
            case 30..<48: action = .tick(seconds: [5, 10, 30, 60, 90, 200, 900].randomElement(using: &random)!)
            case 48..<58:
                let fates: [CommitFate] = [.good, .good, .good, .buildFails, .frontendBuildFails, .healthFails, .crashAfterDeploy, .checksFail]
                action = .commit(fates.randomElement(using: &random)!)
            case 58..<61: action = .pin(Int.random(in: 0..<8, using: &random))
            case 61..<63: action = .unpin
            case 63..<66: action = .rollback
            case 66..<68: action = .rollbackTo(Int.random(in: 0..<4, using: &random))
            case 68..<70: action = .retry
            case 70..<72: action = .plan(onStandby: Bool.random(using: &random))
            case 72..<74: action = .ciOutage(Bool.random(using: &random))
            case 74..<84:
                let kinds: [SimFault.Kind] = [.rateLimited, .serverError, .serverError, .lostResponse, .lostResponse, .hang]
                let kind = kinds.randomElement(using: &random)!
                let service = ServiceName.allCases.randomElement(using: &random)!
                action = .fault(
                    SimFault(kind: kind, operation: kind == .hang ? "deploy" : operations.randomElement(using: &random)!, service: service))
            case 84..<89: action = .restart
            case 89..<92: action = .takeover
            case 92..<95: action = .takeoverMidPass
            case 95..<98: action = .deposedPass
            case 98..<100: action = .request(Int.random(in: 0..<8, using: &random))
            default: action = .unmark
            }
            actions.append(action)
        }
        return actions
    }
}
