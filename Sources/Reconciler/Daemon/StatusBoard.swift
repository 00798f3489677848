import ClipnetContracts
import DriftDetector
import Foundation
import GitWatch
import KnownGoodStore
import Synchronization

/// Holds the daemon's `/status` document, rebuilt when its inputs change, so reading it costs
/// nothing and never waits for a pass. The version changes with the document, so the HTTP
/// server can cache the encoded bytes.
final class StatusBoard: Sendable {
    struct Inputs: Sendable {
        var state = EnvironmentState()
        var lastPass: PassReport?
        var lastPassGeneration: Int64?
        var observation: Observation?
        var drift: [Drift] = []
        var policies: [DriftKind: DriftPolicy] = [:]
        var blockedBy: String?
        var leader = false
        var platformRequests: [StatusDocument.PlatformRequests]?
        var rollbackReadiness: [StatusDocument.RollbackReadiness]?
        var platformAccess: [PlatformAccess.Entry]?
        var delivery: DeliverySummary?
        var notifications: [NotificationChannelStatus]?
    }

    private struct Board {
        var inputs = Inputs()
        var watch: WatchStatus
        var document: StatusDocument
        var version: UInt64 = 1
    }

    let environment: String
    private let watch: @Sendable () -> WatchStatus
    private let board: Mutex<Board>

    init(environment: String, watch: @escaping @Sendable () -> WatchStatus) {
        self.environment = environment
        self.watch = watch
        let status = watch()
        board = Mutex(Board(watch: status, document: Self.build(environment, Inputs(), status)))
    }

    /// Changes the inputs and rebuilds the document.
    func update(_ change: (inout Inputs) -> Void) {
        let status = watch()
        board.withLock { board in
            change(&board.inputs)
            board.watch = status
            board.document = Self.build(environment, board.inputs, status)
            board.version &+= 1
        }
    }

    var inputs: Inputs { board.withLock { $0.inputs } }

    /// The current document; rebuilt first if the watcher's view of the branch moved.
    func snapshot() -> StatusSnapshot {
        let status = watch()
        return board.withLock { board in
            if board.watch != status {
                board.watch = status
                board.document = Self.build(environment, board.inputs, status)
                board.version &+= 1
            }
            return StatusSnapshot(document: board.document, version: board.version)
        }
    }

    private static func build(_ environment: String, _ inputs: Inputs, _ watch: WatchStatus) -> StatusDocument {
        var document = StatusDocument(
            environment: environment, state: inputs.state, watch: watch, lastPass: inputs.lastPass, observation: inputs.observation,
            drift: inputs.drift, policies: inputs.policies, leader: inputs.leader, blockedBy: inputs.blockedBy,
            lastPassGeneration: inputs.lastPassGeneration)
        document.platformRequests = inputs.platformRequests
        document.rollbackReadiness = inputs.rollbackReadiness
        document.platformAccess = inputs.platformAccess
        document.delivery = inputs.delivery
        document.notifications = inputs.notifications
        return document
    }
}
