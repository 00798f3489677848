import ClipnetContracts
import ClipnetJSON
import Foundation
import HTTPTransport
import KnownGoodStore
import Notifications
import PlatformEmulators
import Testing

/// The two channels against the loopback Slack Web API and webhook sink: what each answer
/// means for the notifier (sent, retry, retry after, refused for good).
@Suite struct ChannelTests {
    static let client: HTTPClient = { HTTPClient(runtime: try! CurlRuntime(), configuration: .init(concurrency: 2)) }()

    static func rolloutEvent(_ type: NotificationEvent.Kind, logs: [NotificationEvent.LogExcerpt] = []) -> NotificationEvent {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        return NotificationEvent(
            id: "staging-h7", type: type, environment: "staging", at: at, revision: String(repeating: "f", count: 40),
            commit: .init(short: "ffffffffffff", subject: "Fix <script> & the clip list", author: "Ada"),
            rollout: .init(
                id: "ro-7", phase: "deployBackend", mode: "build", trigger: "push", source: "branch develop", startedAt: at, elapsedSeconds: 75,
                error: nil, failedPhase: nil, rollbackTarget: nil, timeline: [PhaseSpan(phase: .syncVariables, startedAt: at)]),
            failureLogs: logs)
    }

    static func slack(_ emulator: SlackEmulator, _ server: EmulatorServer, token: String? = nil) -> SlackChannel {
        SlackChannel(
            name: "deploys", channel: "#staging-deploys", apiURL: server.baseURL + "/api", token: token ?? emulator.configuration.token,
            tokenEnv: "SLACK_BOT_TOKEN", client: client)
    }

    @Test func aRolloutsMessageIsPostedThenEditedAndItsLogGoesInTheThreadOnce() async throws {
        let emulator = SlackEmulator()
        let server = try await emulator.start()
        defer { Task { await server.stop() } }
        let channel = Self.slack(emulator, server)
        let posted = try #require(try await channel.deliver(Self.rolloutEvent(.rolloutStarted), message: nil))
        #expect(posted.channel == "C0STAGING1", "the channel id Slack answered, which chat.update needs")
        let log = NotificationEvent.LogExcerpt(service: .api, deployment: "d-1", status: "FAILED", lines: ["error: boom"], link: nil)
        let failed = try #require(try await channel.deliver(Self.rolloutEvent(.rolloutFailed, logs: [log]), message: posted))
        #expect(failed.messageID == posted.messageID && failed.logPosted)
        _ = try await channel.deliver(Self.rolloutEvent(.rolloutRolledBack, logs: [log]), message: failed)
        let top = emulator.messages.filter { $0.threadTS == nil }
        #expect(top.count == 1)
        #expect(top.first?.edits.count == 2)
        #expect(emulator.replies(to: posted.messageID).map(\.text).count == 1)
        // Slack's control characters in a commit subject are escaped, not markup.
        #expect(top.first?.text.contains("“Fix &lt;script&gt; &amp; the clip list” by Ada") == true)
    }

    @Test func onlyARolloutThatRollsBackSaysSo() async throws {
        let emulator = SlackEmulator()
        let server = try await emulator.start()
        defer { Task { await server.stop() } }
        var held = Self.rolloutEvent(.rolloutFailed)
        held.rollout?.phase = "failed"
        held.rollout?.rollbackTarget = "222222222222"
        held.rollout?.error = "the CI check 'test' concluded failure"
        _ = try await Self.slack(emulator, server).deliver(held, message: nil)
        var rolling = held
        rolling.rollout?.id = "ro-8"
        rolling.rollout?.phase = "rollingBack"
        _ = try await Self.slack(emulator, server).deliver(rolling, message: nil)
        let texts = emulator.messages.map(\.text)
        #expect(texts.count == 2)
        #expect(!texts[0].contains("rolling back"), "held back at the gate, nothing deployed: \(texts[0])")
        #expect(texts[1].contains("failed; rolling back to `222222222222`"), "\(texts[1])")
    }

    @Test func aMessageDeletedInSlackIsPostedAgainInsteadOfFailingForever() async throws {
        let emulator = SlackEmulator()
        let server = try await emulator.start()
        defer { Task { await server.stop() } }
        let gone = RolloutMessage(rolloutID: "ro-7", channel: "C0STAGING1", messageID: "1700000000.000001")
        let message = try #require(try await Self.slack(emulator, server).deliver(Self.rolloutEvent(.rolloutProgressed), message: gone))
        #expect(message.messageID != gone.messageID)
        #expect(emulator.messages.count == 1)
    }

    @Test func slackAnswersMapToRetryRetryAfterOrRefusal() async throws {
        let emulator = SlackEmulator()
        let server = try await emulator.start()
        defer { Task { await server.stop() } }
        let event = Self.rolloutEvent(.rolloutStarted)

        server.host.faults.inject(.rateLimit(retryAfter: "12"))
        let limited = await #expect(throws: NotificationDeliveryError.self) { try await Self.slack(emulator, server).deliver(event, message: nil) }
        #expect(limited?.retryAfter == .seconds(12) && limited?.permanent == false)

        // A wrong token is the set-up's fault: retried (and shown), never dropped.
        let unauthorised = await #expect(throws: NotificationDeliveryError.self) {
            try await Self.slack(emulator, server, token: "xoxb-wrong").deliver(event, message: nil)
        }
        #expect(unauthorised?.message.contains("invalid_auth") == true && unauthorised?.permanent == false)
        #expect(unauthorised.map { !"\($0)".contains("xoxb-wrong") } == true, "the token is not in the error")

        let elsewhere = SlackChannel(
            name: "d", channel: "#no-such-channel", apiURL: server.baseURL + "/api", token: emulator.configuration.token, tokenEnv: "SLACK_BOT_TOKEN",
            client: Self.client)
        let missing = await #expect(throws: NotificationDeliveryError.self) { try await elsewhere.deliver(event, message: nil) }
        #expect(missing?.message.contains("channel_not_found") == true && missing?.permanent == false)

        // A detail too long for Slack (every variable of a drift report) is cut, not refused.
        let huge = NotificationEvent(
            id: "x", type: .driftReported, environment: "staging", at: event.at, detail: String(repeating: "y", count: 50_000))
        _ = try await Self.slack(emulator, server).deliver(huge, message: nil)
        #expect(emulator.messages.last.map { $0.text.count < 4000 && $0.text.hasSuffix("…") } == true)

        let unset = SlackChannel(
            name: "d", channel: "C0STAGING1", apiURL: server.baseURL + "/api", token: "", tokenEnv: "SLACK_BOT_TOKEN", client: Self.client)
        #expect(unset.unusableReason == "SLACK_BOT_TOKEN is not set")
    }

    @Test func theWebhookIsSignedOverTimestampAndBodyAndItsAnswersAreSorted() async throws {
        let sink = WebhookSink(secret: "nwh_test_secret")
        let server = try await sink.start()
        defer { Task { await server.stop() } }
        let channel = WebhookChannel(
            name: "events", url: server.baseURL + "/hooks/abc", secret: sink.secret, secretEnv: "NOTIFY_WEBHOOK_SECRET", client: Self.client)
        #expect(channel.target == "127.0.0.1:\(server.port)", "the host only: a webhook's path is often its secret")
        let event = Self.rolloutEvent(.rolloutStarted)
        _ = try await channel.deliver(event, message: nil)
        let received = try #require(sink.accepted.first)
        #expect(received.type == "rollout.started" && received.deliveryID == "staging-h7")
        let decoded = try ContractJSON.decoder().decode(NotificationEvent.self, from: Data(received.body))
        #expect(decoded == event)

        // A wrong secret fails the receiver's check: 401 is a refusal of this event.
        let forged = WebhookChannel(
            name: "events", url: server.baseURL + "/hooks/abc", secret: "not-the-secret", secretEnv: "NOTIFY_WEBHOOK_SECRET", client: Self.client)
        let refused = await #expect(throws: NotificationDeliveryError.self) { try await forged.deliver(event, message: nil) }
        #expect(refused?.permanent == true)

        server.host.faults.inject(.serverError(status: 503))
        let unavailable = await #expect(throws: NotificationDeliveryError.self) { try await channel.deliver(event, message: nil) }
        #expect(unavailable?.permanent == false)
        server.host.faults.inject(.rateLimit(retryAfter: "3"))
        let limited = await #expect(throws: NotificationDeliveryError.self) { try await channel.deliver(event, message: nil) }
        #expect(limited?.retryAfter == .seconds(3))

        let unsigned = WebhookChannel(name: "e", url: server.baseURL, secret: nil, secretEnv: "NOTIFY_WEBHOOK_SECRET", client: Self.client)
        #expect(unsigned.unusableReason?.contains("never sent unsigned") == true)
    }

    @Test func theSignatureIsTheDocumentedHMAC() {
        // The documented recipe (docs/notifications.md), as a receiver would compute it:
        // printf '1800000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
        let signature = WebhookChannel.signature(body: Array("{\"a\":1}".utf8), timestamp: "1800000000", secret: "s3cret")
        #expect(signature == "sha256=476d445fc5d734bcaf69961f0de38cb8c2ec42450829655895ca5e064c0765c9")
    }

    @Test func commitLinksComeOnlyFromGitHubAndNeverCarryCredentials() {
        #expect(
            RepositoryWeb.url(fromClone: "https://x-access-token:ghs_secret@github.com/clipnet/clipnet.git") == "https://github.com/clipnet/clipnet")
        #expect(RepositoryWeb.url(fromClone: "git@github.com:clipnet/clipnet.git") == "https://github.com/clipnet/clipnet")
        #expect(RepositoryWeb.url(fromClone: "ssh://git@github.com/clipnet/clipnet") == "https://github.com/clipnet/clipnet")
        #expect(RepositoryWeb.url(fromClone: "https://gitlab.com/clipnet/clipnet.git") == nil)
        #expect(RepositoryWeb.url(fromClone: "/srv/git/clipnet") == nil)
    }
}
