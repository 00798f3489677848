public import ClipnetContracts
public import Foundation
public import Reconciler
import Synchronization

/// CI as the release gate sees it in the simulation: every commit's one required check, `ci`,
/// runs for `duration` of virtual time from the commit, then succeeds, or fails for a commit whose
/// fate is `checksFail`. An outage (`SimAction.ciOutage`) makes every read fail, as GitHub down does.
public final class SimCI: CommitChecking {
    /// How long CI takes on the virtual clock.
    public static let duration: Double = 20
    public static let required = ["ci"]

    let clock: SimClock
    let commitTimes: @Sendable (String) -> Date?
    let fates: @Sendable (String) -> CommitFate
    private let down = Mutex(false)

    init(clock: SimClock, commitTimes: @escaping @Sendable (String) -> Date?, fates: @escaping @Sendable (String) -> CommitFate) {
        self.clock = clock
        self.commitTimes = commitTimes
        self.fates = fates
    }

    public func setDown(_ value: Bool) { down.withLock { $0 = value } }

    /// Whether CI had passed `revision` at `date` (what the gate must have seen before anything of
    /// it was deployed).
    public func passed(_ revision: String, at date: Date) -> Bool {
        guard let committed = commitTimes(revision) else { return false }
        return fates(revision) != .checksFail && date.timeIntervalSince(committed) >= Self.duration
    }

    public func checks(revision: String) async throws -> [CommitCheck] {
        if down.withLock({ $0 }) { throw SimCIOutage() }
        guard let committed = commitTimes(revision) else { return [] }
        if clock.now.timeIntervalSince(committed) < Self.duration {
            return [CommitCheck(name: "ci", state: .pending, detail: "in_progress", url: nil)]
        }
        return fates(revision) == .checksFail
            ? [CommitCheck(name: "ci", state: .failure, detail: "failure", url: nil)]
            : [CommitCheck(name: "ci", state: .success, detail: "success", url: nil)]
    }
}

struct SimCIOutage: Error, CustomStringConvertible {
    var description: String { "GitHub cannot be reached (simulated outage)" }
}
