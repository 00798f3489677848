import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import StagingSandbox
import Testing

/// A build marked for staging by a tag (`repository.markTags: staging/*`): followed instead of
/// the branch head, a pin still wins, and deleting the tag hands staging back to the branch.
@Suite struct MarkedBuildScenarioTests {
    static func markTags(_ text: String) -> String {
        text.replacingOccurrences(of: "  pollInterval:", with: "  markTags: staging/*\n  pollInterval:")
    }

    @Test func aTaggedBuildIsFollowedInsteadOfTheHeadAPinWinsAndDeletingTheTagClearsIt() async throws {
        try await Scenario.with(configure: Self.markTags) { world in
            let marked = try world.commit("Release candidate")
            let later = try world.commit("Later work")
            _ = try world.sandbox.repository.git("tag", "staging/rc-1", marked)
            try await world.settle()
            var status = try #require(world.state())
            #expect(status.desired.source == .mark && status.desired.mark == "staging/rc-1", "\(status.desired)")
            #expect(status.desired.revision == marked)
            #expect(status.knownGood?.revision == marked && world.apiRevision == marked, "the marked build, not the head \(later)")

            // A pin wins over the mark.
            _ = try await world.daemon.pin(later, reason: "try the head", by: "alice", force: false)
            try await world.settle()
            status = try #require(world.state())
            #expect(status.desired.source == .pin && status.desired.revision == later)
            #expect(world.apiRevision == later)
            try await world.daemon.unpin(reason: "back to the mark", by: "alice")
            try await world.settle()
            #expect(world.state()?.desired.source == .mark)
            #expect(world.apiRevision == marked)

            // Deleting the tag clears the mark: staging follows the branch head again.
            _ = try world.sandbox.repository.git("tag", "-d", "staging/rc-1")
            try await world.settle()
            status = try #require(world.state())
            #expect(status.desired.source == .branch && status.desired.mark == nil)
            #expect(world.apiRevision == later)
        }
    }

    @Test func ofSeveralMarksTheNewestCommitWinsAndOtherTagsDoNothing() async throws {
        try await Scenario.with(configure: Self.markTags) { world in
            let older = try world.commit("Older build")
            let newer = try world.commit("Newer build")
            _ = try world.commit("Head")
            _ = try world.sandbox.repository.git("tag", "staging/b", older)
            _ = try world.sandbox.repository.git("tag", "staging/a", newer)
            _ = try world.sandbox.repository.git("tag", "production/x", older)
            try await world.settle()
            #expect(world.state()?.desired.mark == "staging/a")
            #expect(world.apiRevision == newer)
        }
    }
}
