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
            OperatorRoute(.get, "/plan", .role(.viewer)) { _, _ in try await plan() },
            OperatorRoute(.get, "/metrics", .open) { _, _ in metrics() },
            OperatorRoute(.post, "/reconcile", .role(.operator)) { request, caller in try await reconcile(&request, caller) },
            OperatorRoute(.post, "/pin", .role(.operator)) { request, caller in try await pin(&request, caller) },
            OperatorRoute(.post, "/unpin", .role(.operator)) { request, caller in try await unpin(&request, caller) },
            OperatorRoute(.post, "/unmark", .role(.operator)) { request, caller in try await unmark(&request, caller) },
            OperatorRoute(.post, "/rollback", .role(.operator)) { request, caller in try await rollback(&request, caller) },
            // Production moves: an admin's decision, not an operator's.
            OperatorRoute(.post, "/promote", .role(.admin)) { request, caller in try await promote(&request, caller) },
            OperatorRoute(.post, "/cleanup/preview-variables", .role(.admin)) { request, caller in try await cleanupPreview(&request, caller) },
            OperatorRoute(.post, "/webhooks/github", .webhook(scheme: "githubSignature")) { request, _ in try await githubWebhook(&request) },
            OperatorRoute(.post, "/webhooks/vercel", .webhook(scheme: "vercelSignature")) { request, _ in try await vercelWebhook(&request) },
            OperatorRoute(.post, "/webhooks/railway", .webhook(scheme: "railwayToken")) { request, _ in try await railwayWebhook(&request) },
        ]
    }
}
