public import ClipnetContracts

/// How the operator HTTP server listens and whom it trusts.
///
/// The token and the webhook secret are values, not variable names: the daemon reads them from
/// its environment (`RECONCILER_TOKEN`, the configured webhook secret variable) and passes them
/// in. `description` and `dump` never show them.
public struct OperatorServerConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// Interface to bind: loopback by default, so exposing the API is a decision.
    public var host: String
    /// TCP port; 0 asks the system for a free one (reported through `onListening`).
    public var port: Int
    /// The shared operator token (an admin token) as `Authorization: Bearer <token>`. nil (or
    /// empty), and no named tokens: actions are refused with 403, reads still serve.
    public var operatorToken: String?
    /// The shared token and the named tokens of the token file, when the daemon has a token file;
    /// nil means the shared token alone.
    public var credentials: OperatorCredentials?
    /// The GitHub webhook secret (HMAC-SHA256 key of `X-Hub-Signature-256`). nil (or empty):
    /// `POST /webhooks/github` is refused with 403.
    public var webhookSecret: String?
    /// The platforms' deployment webhook secrets: Vercel's signing secret (HMAC-SHA1 key of
    /// `x-vercel-signature`) and the token Railway's webhook URL carries (`?token=`). A platform
    /// without one: its `POST /webhooks/<platform>` is refused with 403.
    public var platformWebhookSecrets: [Platform: String]
    /// Largest request body accepted, in bytes (413 above it). GitHub push payloads are usually well
    /// under 1 MiB; operator requests are a few hundred bytes.
    public var maximumBodySize: Int
    /// Seconds between the status page's own reloads (`<meta http-equiv="refresh">`).
    public var statusPageRefreshSeconds: Int
    /// History entries shown on the status page.
    public var statusPageHistoryLimit: Int
    /// Sent in the `Server` header.
    public var serverName: String?
    /// Timeouts and counts that bound what one client can hold.
    public var connectionLimits: ConnectionLimits

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8080

    public init(
        host: String = OperatorServerConfiguration.defaultHost,
        port: Int = OperatorServerConfiguration.defaultPort,
        operatorToken: String? = nil,
        credentials: OperatorCredentials? = nil,
        webhookSecret: String? = nil,
        platformWebhookSecrets: [Platform: String] = [:],
        maximumBodySize: Int = 1 << 20,
        statusPageRefreshSeconds: Int = 10,
        statusPageHistoryLimit: Int = 15,
        serverName: String? = "clipnet-reconciler",
        connectionLimits: ConnectionLimits = .defaults
    ) {
        self.host = host
        self.port = port
        self.operatorToken = operatorToken
        self.credentials = credentials
        self.webhookSecret = webhookSecret
        self.platformWebhookSecrets = platformWebhookSecrets.filter { !$0.value.isEmpty }
        self.maximumBodySize = max(0, maximumBodySize)
        self.statusPageRefreshSeconds = max(1, statusPageRefreshSeconds)
        self.statusPageHistoryLimit = max(0, statusPageHistoryLimit)
        self.serverName = serverName
        self.connectionLimits = connectionLimits
    }

    /// The shared token, when one is set and not empty.
    var effectiveToken: String? { credentials?.sharedToken ?? operatorToken.flatMap { $0.isEmpty ? nil : $0 } }
    /// What the authorization checks against.
    var effectiveCredentials: OperatorCredentials { credentials ?? OperatorCredentials(sharedToken: operatorToken) }
    /// The webhook secret, when one is set and not empty.
    var effectiveWebhookSecret: String? { webhookSecret.flatMap { $0.isEmpty ? nil : $0 } }

    public var description: String {
        "OperatorServerConfiguration(\(host):\(port), operatorToken: \(effectiveToken == nil ? "none" : "<set>"), "
            + "namedTokens: \(credentials?.activeNamedTokens ?? 0), "
            + "webhookSecret: \(effectiveWebhookSecret == nil ? "none" : "<set>"), "
            + "platformWebhookSecrets: \(platformWebhookSecrets.keys.map(\.rawValue).sorted()), maximumBodySize: \(maximumBodySize))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port,
                "operatorToken": effectiveToken == nil ? "none" : "<set>",
                "namedTokens": credentials?.activeNamedTokens ?? 0,
                "webhookSecret": effectiveWebhookSecret == nil ? "none" : "<set>",
                "platformWebhookSecrets": platformWebhookSecrets.keys.map(\.rawValue).sorted(),
                "maximumBodySize": maximumBodySize, "statusPageRefreshSeconds": statusPageRefreshSeconds,
                "statusPageHistoryLimit": statusPageHistoryLimit, "serverName": serverName as Any,
                "connectionLimits": connectionLimits,
            ], displayStyle: .struct)
    }
}
