import ClipnetContracts
import Deployers
import Foundation
import KnownGoodStore
import Synchronization

/// Whether the known-good records a rollback may go back to can still be re-pointed without a
/// rebuild: Railway keeps a replaced deployment's image for a while (24 h Free, 72 h Hobby,
/// 120 h Pro, 360 h Enterprise, counted from when it was replaced) and reports `canRollback`;
/// Vercel's retention can delete old deployments.
///
/// Why in memory and checked in rounds: readiness only ever goes from ready to expired, on a
/// scale of days, and each check costs a request per service. A round checks the newest
/// `limit` records not already known expired, at most once per `interval`; an expired entry is
/// never checked again. After a restart the book is empty and the first round refills it.
final class RollbackReadinessBook: Sendable {
    private struct Book {
        var entries: [String: StatusDocument.RollbackReadiness] = [:]
        var lastRound: Date?
    }

    private let book = Mutex(Book())
    /// How many records a round checks (a rollback rarely goes further back).
    let limit: Int

    init(limit: Int = 5) {
        self.limit = limit
    }

    /// The records a rollback may go back to: every known-good record except the one staging
    /// serves now, newest first.
    static func candidates(_ state: EnvironmentState) -> [KnownGoodRecord] {
        let live = state.settledRevision
        return state.allKnownGood.filter { $0.revision != live }
    }

    /// The entry for `revision` when it was checked within `maxAge`; an expired one at any age.
    func entry(for revision: String, now: Date, maxAge: TimeInterval) -> StatusDocument.RollbackReadiness? {
        book.withLock { book in
            guard let entry = book.entries[revision] else { return nil }
            return entry.state == "expired" || now.timeIntervalSince(entry.checkedAt) < maxAge ? entry : nil
        }
    }

    /// Checks `record` now: one request per service deployment it names.
    @discardableResult
    func check(_ record: KnownGoodRecord, platforms: Platforms, now: Date) async -> StatusDocument.RollbackReadiness {
        var states: [RollbackReadiness.State] = []
        var expiries: [Date] = []
        var details: [String] = []
        for service in ServiceName.allCases {
            guard let id = record.deployments[service] else { continue }
            let readiness: RollbackReadiness
            do {
                readiness = try await platforms.deployer(for: service).rollbackReadiness(of: DeploymentID(id), service: service)
            } catch {
                readiness = .unknown("could not be read: \(PhaseEnvironment.message(error))")
            }
            states.append(readiness.state)
            if let expiry = readiness.expiresAt { expiries.append(expiry) }
            details.append("\(service): \(readiness.detail)")
        }
        let state: String = states.contains(.expired) ? "expired" : (!states.isEmpty && states.allSatisfy { $0 == .ready } ? "ready" : "unknown")
        let entry = StatusDocument.RollbackReadiness(
            revision: record.revision, state: state, expiresAt: state == "ready" ? expiries.min() : nil,
            detail: details.isEmpty ? "the record names no deployment" : details.joined(separator: "; "), checkedAt: now)
        book.withLock { $0.entries[record.revision] = entry }
        return entry
    }

    /// A round when the last one is `interval` old: the newest candidates not known expired.
    func round(_ state: EnvironmentState, platforms: Platforms, now: Date, interval: TimeInterval) async {
        let kept = Set(state.allKnownGood.map(\.revision))
        let due = book.withLock { book -> Bool in
            // Records that left the store (older than the kept history) are forgotten, so the
            // book stays as small as the store's own list.
            book.entries = book.entries.filter { kept.contains($0.key) }
            guard book.lastRound.map({ now.timeIntervalSince($0) >= interval }) ?? true else { return false }
            book.lastRound = now
            return true
        }
        guard due else { return }
        for record in Self.candidates(state).prefix(limit) where entry(for: record.revision, now: now, maxAge: 0)?.state != "expired" {
            if Task.isCancelled { return }
            await check(record, platforms: platforms, now: now)
        }
    }

    /// What status shows: the candidates of `state` that were checked, newest first.
    func snapshot(_ state: EnvironmentState) -> [StatusDocument.RollbackReadiness] {
        let entries = book.withLock { $0.entries }
        return Self.candidates(state).compactMap { entries[$0.revision] }
    }
}
