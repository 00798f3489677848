import Hummingbird
import Logging
import Prometheus
import Reconciler

/// The operator API's handlers and what they share: the daemon (through `ReconcilerControl`),
/// the configuration, the metrics registry and the caches. The route table is `routes`.
struct OperatorAPI: Sendable {
    let control: any ReconcilerControl
    let configuration: OperatorServerConfiguration
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let statusCache = VersionedCache<ByteBuffer>()
    let statusMetricsCache = VersionedCache<String>()

    /// Every route of the API (docs/openapi.yaml describes each one).
    var routes: [OperatorRoute] {
        [
            OperatorRoute(.get, "/", .open) { request, _ in try await statusPage(request) },
            OperatorRoute(.get, "/healthz", .open) { _, _ in try JSONBody.response(HealthAnswer()) },
            OperatorRoute(.get, "/readyz", .open) { _, _ in await readiness() },
            OperatorRoute(.get, "/status", .open) { _, _ in status() },
            OperatorRoute(.get, "/history", .open) { request, _ in try await history(request) },
            OperatorRoute(.get, "/plan", .open) { _, _ in try await plan() },
            OperatorRoute(.get, "/metrics", .open) { _, _ in metrics() },
            OperatorRoute(.post, "/reconcile", .operatorToken) { request, _ in try await reconcile(&request) },
            OperatorRoute(.post, "/pin", .operatorToken) { request, _ in try await pin(&request) },
            OperatorRoute(.post, "/unpin", .operatorToken) { request, _ in try await unpin(&request) },
            OperatorRoute(.post, "/rollback", .operatorToken) { request, _ in try await rollback(&request) },
            OperatorRoute(.post, "/cleanup/preview-variables", .operatorToken) { request, _ in try await cleanupPreview(&request) },
            OperatorRoute(.post, "/webhooks/github", .webhookSignature) { request, _ in try await githubWebhook(&request) },
        ]
    }
}
