import ClipnetConfig
import ClipnetContracts
import ClipnetJSON
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import Testing

/// One Slack message per rollout, kept up to date, and every event on the signed webhook:
/// against the Slack emulator and the webhook sink, with the daemon delivering after each pass
/// as its notifier service does.
@Suite struct NotificationScenarioTests {
    static func channels(_ world: Scenario) throws -> SandboxNotifications {
        try #require(world.sandbox.notifications)
    }

    static func topLevel(_ slack: SlackEmulator) -> [SlackEmulator.Message] { slack.messages.filter { $0.threadTS == nil } }

    @Test func oneSlackMessageIsCreatedAtARolloutsStartAndUpdatedAtEachPhase() async throws {
        try await Scenario.with(notifications: true) { world in
            let notifications = try Self.channels(world)
            let first = try world.commit("Add the clip list")
            try await world.settle()
            let second = try world.commit("Speed up the clip list")
            try await world.settle()

            let messages = Self.topLevel(notifications.slack)
            #expect(messages.count == 2, "one message per rollout: \(messages.map(\.text))")
            let last = try #require(messages.last)
            #expect(last.text.contains(":white_check_mark:"), "\(last.text)")
            #expect(last.text.contains("`\(CommitID.short(second))`"))
            #expect(last.text.contains("Speed up the clip list"), "the commit's subject, from git")
            #expect(last.text.contains("<http://status.sandbox.invalid/|status page>"))
            // Created once, then edited as the phases went by (not one post per phase).
            #expect(last.edits.count >= 2, "\(last.edits)")
            #expect(last.edits.contains { $0.contains("deploying api and worker") || $0.contains("verifying") || $0.contains("health gate") })
            #expect(messages.first?.text.contains("`\(CommitID.short(first))`") == true)

            // The webhook got every event of the second rollout, signed, each once.
            let events = notifications.sink.accepted.compactMap(\.json)
            #expect(notifications.sink.received.allSatisfy { $0.signatureValid })
            let ids = notifications.sink.accepted.compactMap(\.deliveryID)
            #expect(Set(ids).count == ids.count, "no event delivered twice: \(ids)")
            let secondTypes = events.filter { $0["revision"]?.stringValue == second }.compactMap { $0["type"]?.stringValue }
            #expect(secondTypes.first == "rollout.started", "\(secondTypes)")
            #expect(secondTypes.last == "rollout.succeeded", "\(secondTypes)")
            #expect(secondTypes.contains("rollout.progressed"))
            let succeeded = try #require(events.last { $0["type"]?.stringValue == "rollout.succeeded" })
            #expect(succeeded["rollout"]?["timeline"]?.arrayValue?.isEmpty == false)
            #expect(succeeded["commit"]?["subject"]?.stringValue == "Speed up the clip list")

            // Nothing repeats per pass: more passes with nothing new send nothing.
            let before = (notifications.slack.messages.count, notifications.sink.received.count)
            try await world.settle()
            try await world.settle()
            #expect(notifications.slack.messages.count == before.0)
            #expect(notifications.sink.received.count == before.1)
            let status = try #require(world.state()?.notifications)
            #expect(status.map(\.name) == ["deploys", "events"])
            #expect(status.allSatisfy { $0.state == "ok" && $0.pending == 0 && $0.delivered > 0 })
        }
    }

    @Test func aFailedRolloutAndItsRollbackKeepOneMessageWithTheBuildsLinesInItsThread() async throws {
        try await Scenario.with(notifications: true) { world in
            let notifications = try Self.channels(world)
            let good = try world.commit("Good")
            try await world.settle()
            let secret = try FailureLogScenarioTests.canary(world)
            let bad = try world.commit("Breaks the API build")
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.api.serviceId)
            world.sandbox.railway.setLogTail(
                revision: bad, ["Compiling ClipnetAPI", "echo DATABASE_URL=\(secret)", "error: cannot find 'Reqest' in scope"])
            try await world.settle()

            let messages = Self.topLevel(notifications.slack)
            #expect(messages.count == 2, "\(messages.map(\.text))")
            let failed = try #require(messages.last)
            #expect(
                failed.text.hasPrefix(
                    ":leftwards_arrow_with_hook: *staging* rollout of `\(CommitID.short(bad))` failed; rolled back to `\(CommitID.short(good))`"),
                "ends rolled back, naming both: \(failed.text)")
            #expect(failed.edits.contains { $0.contains(":red_circle:") && $0.contains("rolling back to") }, "\(failed.edits)")
            let replies = notifications.slack.replies(to: failed.ts)
            #expect(replies.count == 1, "the log goes in the thread once: \(replies.map(\.text))")
            #expect(replies.first?.text.contains("error: cannot find 'Reqest' in scope") == true)

            let types = notifications.sink.accepted.compactMap(\.json).compactMap { $0["type"]?.stringValue }
            #expect(types.contains("rollout.failed") && types.contains("rollout.rolled_back"), "\(types)")
            let failure = try #require(notifications.sink.accepted.compactMap(\.json).first { $0["type"]?.stringValue == "rollout.failed" })
            #expect(failure["rollout"]?["error"]?.stringValue?.isEmpty == false)

            // The secret a build script echoed is nowhere in what was sent.
            let sent =
                notifications.slack.messages.flatMap { [$0.text] + $0.edits }
                + notifications.sink.received.map { String(decoding: $0.body, as: UTF8.self) }
            #expect(!sent.contains { $0.contains(secret) }, "a secret reached a notification")
            #expect(sent.contains { $0.contains("echo DATABASE_URL=<redacted>") })
            #expect(!sent.contains { $0.contains(notifications.slack.configuration.token) || $0.contains(notifications.sink.secret) })
        }
    }

    @Test func operatorActionsAreAnnouncedWithWhoAndWhy() async throws {
        try await Scenario.with(notifications: true) { world in
            let notifications = try Self.channels(world)
            let first = try world.commit("First")
            try await world.settle()
            _ = try world.commit("Second")
            try await world.settle()
            _ = try await world.daemon.pin(first, reason: "bisecting the upload bug", by: "alice", force: false)
            try await world.settle()
            try await world.daemon.unpin(reason: "found it", by: "bob")
            try await world.settle()

            let texts = Self.topLevel(notifications.slack).map(\.text)
            #expect(texts.contains { $0.contains(":pushpin: alice pinned *staging*") && $0.contains("bisecting the upload bug") }, "\(texts)")
            #expect(texts.contains { $0.contains("bob unpinned *staging*") && $0.contains("found it") }, "\(texts)")
            let pinned = try #require(notifications.sink.accepted.compactMap(\.json).first { $0["type"]?.stringValue == "operator.pinned" })
            #expect(pinned["actor"]?.stringValue == "alice")
            #expect(pinned["reason"]?.stringValue == "bisecting the upload bug")
            #expect(pinned["revision"]?.stringValue == first)
        }
    }

    @Test func slackRateLimitsAreWaitedOutAndNothingIsLostOrRepeated() async throws {
        try await Scenario.with(notifications: true) { world in
            let notifications = try Self.channels(world)
            notifications.slackServer.host.faults.inject(.rateLimit(retryAfter: "7"), count: 1)
            _ = try world.commit("Rate limited")
            try await world.settle()

            // The 429 holds the Slack channel back for the 7 s Slack asked for; the webhook goes on.
            let slack = try #require(world.state()?.notifications?.first { $0.name == "deploys" })
            #expect(slack.state == "failing")
            #expect(slack.lastError?.contains("429") == true)
            let failedAt = try #require(slack.failingSince)
            let nextAttempt = try #require(slack.nextAttemptAt)
            #expect(nextAttempt.timeIntervalSince(failedAt) >= 7)
            #expect(slack.pending > 0)
            #expect(notifications.slack.messages.isEmpty)
            #expect(notifications.sink.accepted.contains { $0.type == "rollout.succeeded" })
            #expect(world.state()?.rollout?.phase == "succeeded", "a failing channel never holds a rollout")

            // After the wait, one message with the rollout's end: nothing lost, nothing posted twice.
            await world.daemon.deliverNotifications(at: nextAttempt.addingTimeInterval(0.1))
            let messages = Self.topLevel(notifications.slack)
            #expect(messages.count == 1)
            #expect(messages.first?.text.contains(":white_check_mark:") == true)
            let recovered = try #require(world.state()?.notifications?.first { $0.name == "deploys" })
            #expect(recovered.state == "ok" && recovered.pending == 0 && recovered.failures == 0)
        }
    }

    @Test func aStallAndItsRecoveryAreAnnouncedOnceEach() async throws {
        try await Scenario.with(notifications: true) { world in
            let notifications = try Self.channels(world)
            _ = try world.commit("Good")
            try await world.settle()
            let manifest = try world.sandbox.repository.read("deploy/staging.yaml")
            _ = try world.commit("Breaks the manifest", files: ["deploy/staging.yaml": "environment: [unclosed\n"])
            try await world.settle()
            try await world.settle()
            _ = try world.commit("Fixes the manifest", files: ["deploy/staging.yaml": manifest])
            try await world.settle()

            let types = notifications.sink.accepted.compactMap(\.type)
            #expect(types.filter { $0 == "reconciler.stalled" }.count == 1, "\(types)")
            #expect(types.filter { $0 == "reconciler.recovered" }.count == 1, "\(types)")
            let stall = try #require(notifications.sink.accepted.compactMap(\.json).first { $0["type"]?.stringValue == "reconciler.stalled" })
            #expect(stall["detail"]?.stringValue?.contains("staging.yaml") == true, "\(stall)")
            #expect(Self.topLevel(notifications.slack).contains { $0.text.contains(":rotating_light:") })
        }
    }
}
