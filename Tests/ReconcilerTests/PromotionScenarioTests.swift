import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// `promote`: a known-good revision of staging fast-forwards the production branch of the real
/// repository (through the mirror, libgit2's push); anything else is refused with the reason.
@Suite struct PromotionScenarioTests {
    static func promotion(soak: String) -> (String) -> String {
        { $0 + "promotion:\n  branch: production\n  soak: \(soak)\n" }
    }

    /// Where `production` points in the repository the daemon watches (nil: no such branch).
    static func production(_ world: Scenario) throws -> String? {
        let origin = try #require(world.bareOrigin)
        let output = try? world.sandbox.repository.git("--git-dir", origin, "rev-parse", "--verify", "--quiet", "refs/heads/production")
        return output?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    }

    @Test func aKnownGoodRevisionFastForwardsProductionAndOnlyForward() async throws {
        try await Scenario.with(bareOrigin: true, configure: Self.promotion(soak: "0s")) { world in
            let first = try world.commit("First")
            try await world.settle()
            let second = try world.commit("Second")
            try await world.settle()

            let created = try await world.daemon.promote(first, reason: "release 1", by: "alice")
            #expect(created.revision == first && created.branch == "production" && created.previous == nil)
            #expect(try Self.production(world) == first)
            let moved = try await world.daemon.promote(String(second.prefix(12)), reason: "release 2", by: "bob")
            #expect(moved.revision == second && moved.previous == first)
            #expect(try Self.production(world) == second)
            // Promoting what production already runs changes nothing and records nothing.
            let again = try await world.daemon.promote(second, reason: "again", by: "bob")
            #expect(again.previous == second)

            // Back is not forward: refused, production stays.
            await #expect(throws: OperatorError.self) { try await world.daemon.promote(first, reason: "oops", by: "alice") }
            do {
                _ = try await world.daemon.promote(first, reason: "oops", by: "alice")
            } catch let error as OperatorError {
                #expect(error.code == .notPromotable && error.message.contains("only a fast-forward"), "\(error)")
            }
            #expect(try Self.production(world) == second)

            let history = try await world.daemon.history(limit: 20).filter { $0.kind == .promoted }
            #expect(history.map(\.by) == ["bob", "alice"])
            #expect(history.first?.reason == "release 2" && history.first?.detail?.hasPrefix("production: ") == true)
        }
    }

    @Test func whatIsNotKnownGoodHereOrTooYoungOrMarkedFailedIsRefusedWithTheReason() async throws {
        try await Scenario.with(bareOrigin: true, configure: Self.promotion(soak: "1h")) { world in
            let good = try world.commit("Good")
            try await world.settle()
            let bad = try world.commit("Breaks the worker")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()

            func refusal(_ revision: String) async -> OperatorError? {
                do {
                    _ = try await world.daemon.promote(revision, reason: "try", by: "alice")
                    return nil
                } catch { return error as? OperatorError }
            }
            let young = await refusal(good)
            #expect(young?.code == .notPromotable && young?.message.contains("promotion needs 3600 s") == true, "\(String(describing: young))")
            let failed = await refusal(bad)
            #expect(
                failed?.code == .notPromotable && failed?.message.contains("is not a known-good revision") == true, "\(String(describing: failed))")
            let unknown = await refusal(String(repeating: "e", count: 40))
            #expect(unknown?.code == .unknownRevision, "\(String(describing: unknown))")
            #expect(try Self.production(world) == nil, "nothing was pushed")
            #expect(try await world.daemon.history(limit: 20).contains { $0.kind == .promoted } == false)
        }
    }

    @Test func withoutPromotionConfiguredPromoteIsRefused() async throws {
        try await Scenario.with { world in
            let good = try world.commit("Good")
            try await world.settle()
            await #expect(throws: OperatorError.self) { try await world.daemon.promote(good, reason: "r", by: "alice") }
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
