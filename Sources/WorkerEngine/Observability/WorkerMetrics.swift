public import Prometheus
import Synchronization

/// The worker's metrics, written into a swift-prometheus registry and rendered in the Prometheus
/// text format at `/metrics`.
///
/// `clipnet-worker run` passes the registry of `ClipnetMetrics.bootstrap()` (the daemon's
/// bootstrap), so anything the process records through swift-metrics is on the same page. Tests
/// and the benchmark run several workers in one process, each with its own registry (the default).
///
/// The per-job path takes one lock to find a job type's metrics (made on first use), then
/// swift-prometheus' own atomics and histogram lock.
public final class WorkerMetrics: Sendable {
    /// Handler duration buckets, seconds.
    public static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600]
    /// Pick-up latency buckets, seconds.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 60]
    /// GPU wait buckets, seconds (a slot may take minutes to come free under a burst).
    public static let gpuWaitBuckets: [Double] = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800]

    public enum Outcome: String, Sendable, CaseIterable {
        case processed, failed, retried, dead

        var metricName: String { "clipnet_worker_jobs_\(rawValue)_total" }
    }

    /// One job type's counters and duration histogram.
    private struct TypeMetrics: Sendable {
        let counters: [Counter]
        let duration: ValueHistogram

        func counter(_ outcome: Outcome) -> Counter {
            switch outcome {
            case .processed: counters[0]
            case .failed: counters[1]
            case .retried: counters[2]
            case .dead: counters[3]
            }
        }
    }

    /// What `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let types = Mutex<[String: TypeMetrics]>([:])
    private let labelled = Mutex<[String: Gauge]>([:])
    private let labelledHistograms = Mutex<[String: ValueHistogram]>([:])
    private let labelledCounters = Mutex<[String: Counter]>([:])
    private let pickup: ValueHistogram
    private let reaped: Counter
    private let inFlightGauge: Gauge
    /// Changed twice per job by every slot; copied into the gauge when rendered.
    private let inFlightCount = Atomic<Int>(0)

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        pickup = registry.makeValueHistogram(descriptor: Self.descriptor("clipnet_worker_pickup_latency_seconds"), buckets: Self.latencyBuckets)
        reaped = registry.makeCounter(descriptor: Self.descriptor("clipnet_worker_reaped_jobs_total"))
        inFlightGauge = registry.makeGauge(descriptor: Self.descriptor("clipnet_worker_in_flight"))
    }

    private func metrics(type: String) -> TypeMetrics {
        types.withLock { types in
            if let found = types[type] { return found }
            let made = TypeMetrics(
                counters: Outcome.allCases.map { registry.makeCounter(descriptor: Self.descriptor($0.metricName), labels: [("type", type)]) },
                duration: registry.makeValueHistogram(
                    descriptor: Self.descriptor("clipnet_worker_handler_duration_seconds"), labels: [("type", type)],
                    buckets: Self.durationBuckets))
            types[type] = made
            return made
        }
    }

    private func gauge(_ name: String, _ label: String, _ value: String) -> Gauge {
        Self.cached(labelled, name, value) { registry.makeGauge(descriptor: Self.descriptor(name), labels: [(label, value)]) }
    }

    private func counter(_ name: String, _ label: String, _ value: String) -> Counter {
        Self.cached(labelledCounters, name, value) { registry.makeCounter(descriptor: Self.descriptor(name), labels: [(label, value)]) }
    }

    private func histogram(_ name: String, _ label: String, _ value: String, buckets: [Double]) -> ValueHistogram {
        Self.cached(labelledHistograms, name, value) {
            registry.makeValueHistogram(descriptor: Self.descriptor(name), labels: [(label, value)], buckets: buckets)
        }
    }

    /// The metric of `name` labelled `value`, made on first use (keyed `name\0value`).
    private static func cached<Metric: Sendable>(
        _ store: borrowing Mutex<[String: Metric]>, _ name: String, _ value: String, make: () -> Metric
    ) -> Metric {
        store.withLock { made in
            let key = "\(name)\u{0}\(value)"
            if let found = made[key] { return found }
            let metric = make()
            made[key] = metric
            return metric
        }
    }

    public func count(_ outcome: Outcome, type: String) {
        metrics(type: type).counter(outcome).increment()
    }

    public func observeDuration(_ duration: Duration, type: String) {
        metrics(type: type).duration.record(Self.seconds(duration))
    }

    /// A handler run that ended with `outcome`: its duration and the count (the per-job path).
    public func finished(_ outcome: Outcome, type: String, duration: Duration) {
        let found = metrics(type: type)
        found.duration.record(Self.seconds(duration))
        found.counter(outcome).increment()
    }

    public func observePickup(milliseconds: Int64) {
        pickup.record(Double(max(0, milliseconds)) / 1000)
    }

    public func setDepth(_ depth: JobQueue.Depth) {
        for (state, value) in [
            ("queued", depth.queued), ("in_flight", depth.inFlight), ("retry", depth.retrying),
            ("delayed", depth.delayed), ("dead", depth.dead),
        ] {
            gauge("clipnet_worker_queue_depth", "state", state).set(Double(value))
        }
    }

    public func addInFlight(_ delta: Int) {
        inFlightCount.add(delta, ordering: .relaxed)
    }

    public func addReaped(_ count: Int) {
        reaped.increment(by: Int64(count))
    }

    public var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    // MARK: GPU fair share

    /// RunPod jobs this worker runs now in `namespace`.
    public func addGPUInFlight(_ delta: Int, namespace: String) {
        gauge("clipnet_worker_gpu_in_flight", "namespace", namespace).increment(by: Double(delta))
    }

    /// Live GPU leases of `namespace` over every replica, as last seen in Redis.
    public func setGPULeases(_ count: Int, namespace: String) {
        gauge("clipnet_worker_gpu_leases", "namespace", namespace).set(Double(count))
    }

    public func countGPUDeferral(namespace: String) {
        counter("clipnet_worker_gpu_deferred_total", "namespace", namespace).increment()
    }

    /// Time from a job's first try for a GPU slot to getting one (deferrals included).
    public func observeGPUWait(milliseconds: Int64, namespace: String) {
        histogram("clipnet_worker_gpu_wait_seconds", "namespace", namespace, buckets: Self.gpuWaitBuckets)
            .record(Double(max(0, milliseconds)) / 1000)
    }

    // MARK: External calls

    /// One call to another service (`runpod`, `cloudinary`, `ffmpeg`, `postgres`, `clipbot`), so
    /// the worker's own share of a job's time can be told from what it waits for.
    public func observeExternal(_ service: String, duration: Duration) {
        histogram("clipnet_worker_external_call_seconds", "service", service, buckets: Self.durationBuckets)
            .record(Self.seconds(duration))
    }

    // MARK: Reading back (tests, the benchmark): from the rendered text, off the per-job path

    /// Total seconds and calls per service so far.
    public var externalTotals: [String: (seconds: Double, calls: Int)] {
        let services = labelledHistograms.withLock { histograms in
            histograms.keys.compactMap { key -> String? in
                let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                return parts.first == "clipnet_worker_external_call_seconds" ? String(parts[1]) : nil
            }
        }
        let text = render()
        var totals: [String: (seconds: Double, calls: Int)] = [:]
        for service in services {
            let labels = #"service="\#(Self.escaped(service))""#
            totals[service] = (
                seconds: Self.sample(text, "clipnet_worker_external_call_seconds_sum{\(labels)}") ?? 0,
                calls: Int(Self.sample(text, "clipnet_worker_external_call_seconds_count{\(labels)}") ?? 0)
            )
        }
        return totals
    }

    public func gpuInFlight(namespace: String) -> Int { read("clipnet_worker_gpu_in_flight", namespace: namespace) }
    public func gpuDeferrals(namespace: String) -> Int { read("clipnet_worker_gpu_deferred_total", namespace: namespace) }
    public func gpuWaitCount(namespace: String) -> Int { read("clipnet_worker_gpu_wait_seconds_count", namespace: namespace) }

    public func value(_ outcome: Outcome, type: String) -> Int {
        Int(Self.sample(render(), #"\#(outcome.metricName){type="\#(Self.escaped(type))"}"#) ?? 0)
    }

    private func read(_ name: String, namespace: String) -> Int {
        Int(Self.sample(render(), #"\#(name){namespace="\#(Self.escaped(namespace))"}"#) ?? 0)
    }

    /// The value of the sample `series` (name and labels as rendered) in `text`.
    private static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    private static func escaped(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    /// The Prometheus text exposition of the registry.
    public func render() -> String {
        inFlightGauge.set(Double(inFlight))
        return registry.emitToString()
    }

    /// A metric name as is: no unit suffix, no help line (the names are listed in docs/worker.md).
    private static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: "")
    }

    static func seconds(_ duration: Duration) -> Double {

        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
