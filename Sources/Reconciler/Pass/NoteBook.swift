import ClipnetContracts
import Synchronization

/// What a pass did (or, for a plan, would do), in order: for status, logs and `reconciler plan`.
final class NoteBook: Sendable {
    private let entries = Mutex<[PlanDocument.Action]>([])

    func add(_ action: String, _ service: String?, _ detail: String) {
        entries.withLock { $0.append(PlanDocument.Action(action: action, service: service, detail: detail)) }
    }

    var actions: [PlanDocument.Action] { entries.withLock { $0 } }
}
