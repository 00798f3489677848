import CoreMetrics
public import Prometheus

/// swift-metrics backed by Prometheus: the one metrics bootstrap of both binaries (`reconciler`'s
/// operator server and `clipnet-worker`'s `/metrics` render the registry it returns).
///
/// Why a module of its own: the daemon's modules record through the swift-metrics API only
/// (`Timer(label: "reconcile_duration_seconds")`, `Counter(label: "reconciles_total", dimensions:
/// [("result", …)])`, ...), the worker's `WorkerMetrics` writes into the same kind of registry, and
/// the worker must not depend on the daemon's HTTP module. The process picks the backend once.
public enum ClipnetMetrics {
    /// Histogram buckets of the daemon's timers, by metric name; other timers get Prometheus' defaults.
    public static let durationBuckets: [String: [Duration]] = [
        "reconcile_duration_seconds": [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900),
        ],
        "git_fetch_duration_seconds": [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ],
        // From a health gate's few seconds to a build's tens of minutes.
        "reconciler_rollout_phase_duration_seconds": [
            .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            .seconds(120), .seconds(300), .seconds(600), .seconds(1200), .seconds(2700),
        ],
        // From a fast merge to a change that waited weeks.
        "reconciler_change_lead_time_seconds": [
            .seconds(300), .seconds(900), .seconds(1800), .seconds(3600), .seconds(3 * 3600), .seconds(6 * 3600), .seconds(86_400),
            .seconds(3 * 86_400), .seconds(7 * 86_400), .seconds(30 * 86_400),
        ],
        "reconciler_time_to_restore_seconds": [
            .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600), .seconds(1800), .seconds(3600), .seconds(4 * 3600),
            .seconds(86_400),
        ],
        "platform_api_request_duration_seconds": [
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ],
    ]

    /// The process' registry, after making it the swift-metrics backend. Safe to call any number of
    /// times from anywhere: the bootstrap happens once, on first use.
    ///
    /// - Important: `MetricsSystem.bootstrap` traps when called twice; a process that uses this
    ///   must not bootstrap swift-metrics elsewhere. Tests use `makeFactory(registry:)` with
    ///   `withMetricsFactory` instead, so they run in parallel without a global.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        bootstrapped
    }

    private static let bootstrapped: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(makeFactory(registry: registry))
        return registry
    }()

    /// A swift-metrics factory writing into `registry`, with the daemon's histogram buckets.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        return factory
    }
}
