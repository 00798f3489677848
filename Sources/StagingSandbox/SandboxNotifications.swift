public import PlatformEmulators

/// Where the sandbox's daemon sends notifications: a Slack emulator (channel `C0STAGING1`,
/// `#staging-deploys`) and a signed-webhook sink, each on its own loopback port.
public struct SandboxNotifications: Sendable {
    public let slack: SlackEmulator
    public let slackServer: EmulatorServer
    public let sink: WebhookSink
    public let sinkServer: EmulatorServer

    /// The Slack channel id the daemon posts in.
    public static let slackChannel = "C0STAGING1"

    static func start() async throws -> SandboxNotifications {
        let slack = SlackEmulator(configuration: .init(token: EmulatorIDs.prefixed("xoxb-"), channels: [slackChannel: "staging-deploys"]))
        let sink = WebhookSink(secret: EmulatorIDs.prefixed("nwh_"))
        let slackServer = try await slack.start()
        let sinkServer = try await sink.start()
        return SandboxNotifications(slack: slack, slackServer: slackServer, sink: sink, sinkServer: sinkServer)
    }

    /// `SLACK_BOT_TOKEN` and `NOTIFY_WEBHOOK_SECRET` for the daemon.
    var environment: [String: String] { ["SLACK_BOT_TOKEN": slack.configuration.token, "NOTIFY_WEBHOOK_SECRET": sink.secret] }

    /// The `notifications:` section of the sandbox daemon's configuration.
    public var configuration: String {
        """
        publicURL: http://status.sandbox.invalid
        notifications:
          deploys:
            slack:
              channel: \(Self.slackChannel)
              apiURL: \(slackServer.baseURL)/api
          events:
            webhook:
              url: \(sinkServer.baseURL)/clipnet

        """
    }

    func stop() async {
        await slackServer.stop()
        await sinkServer.stop()
    }
}
