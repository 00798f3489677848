import HTTPTransport
import PlatformEmulators

extension StagingSandbox {
    /// Makes the Vercel and Railway emulators send their deployment webhooks to the daemon at
    /// `daemonURL` (`http://127.0.0.1:<port>`), as the real platforms do once an operator has set
    /// the webhooks up: Vercel's signed with the sandbox's `VERCEL_WEBHOOK_SECRET`, Railway's to a
    /// URL carrying `RAILWAY_WEBHOOK_TOKEN`. Delivery is fire-and-forget, like the platforms'.
    public func sendPlatformWebhooks(to daemonURL: String) throws {
        let client = HTTPClient(runtime: try CurlRuntime(), configuration: .init(concurrency: 2, userAgent: "sandbox-webhooks"))
        let deliver: WebhookDeliver = { delivery in
            _ = try? await client.send(
                HTTPRequest(
                    method: .post, url: delivery.url, headers: HTTPHeaders(delivery.headers), body: delivery.body, timeout: .seconds(10),
                    connectTimeout: .seconds(2)))
        }
        vercel.sendWebhooks(
            to: WebhookTarget(url: daemonURL + "/webhooks/vercel", secret: environment["VERCEL_WEBHOOK_SECRET"], deliver: deliver))
        railway.sendWebhooks(
            to: WebhookTarget(url: daemonURL + "/webhooks/railway?token=" + (environment["RAILWAY_WEBHOOK_TOKEN"] ?? ""), deliver: deliver))
        // CI's check events, signed as GitHub signs a push: the release gate looks again at once.
        if let github, let secret = environment["GITHUB_WEBHOOK_SECRET"] {
            github.emulator.sendWebhooks(to: WebhookTarget(url: daemonURL + "/webhooks/github", secret: secret, deliver: deliver))
        }
    }
}
