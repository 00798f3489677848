import ClipnetFormats
import Synchronization

/// The worker's metrics, rendered in the Prometheus text format at `/metrics`.
///
/// Why not swift-metrics with a Prometheus backend: the package has no Prometheus backend
/// dependency; this registry is small, lock-protected, and what `/metrics` and tests read directly.
public final class WorkerMetrics: Sendable {
    /// Handler duration buckets, seconds.
    public static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600]
    /// Pick-up latency buckets, seconds.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 60]

    public enum Outcome: String, Sendable, CaseIterable {
        case processed, failed, retried, dead
    }

    private struct Histogram {
        var buckets: [Int]
        var sum: Double = 0
        var count: Int = 0
        init(size: Int) { buckets = Array(repeating: 0, count: size) }
        mutating func observe(_ value: Double, bounds: [Double]) {
            for (index, bound) in bounds.enumerated() where value <= bound { buckets[index] += 1 }
            sum += value
            count += 1
        }
    }

    private struct State {
        var counters: [Outcome: [String: Int]] = [:]
        var durations: [String: Histogram] = [:]
        var pickup = Histogram(size: WorkerMetrics.latencyBuckets.count)
        var depth: [String: Int] = [:]
        var reaped = 0
        var gpuInFlight: [String: Int] = [:]
        var gpuLeases: [String: Int] = [:]
        var gpuDeferred: [String: Int] = [:]
        var gpuWait: [String: Histogram] = [:]
        var external: [String: Histogram] = [:]
    }

    private let state = Mutex(State())
    /// Outside the lock: changed twice per job by every slot.
    private let inFlightCount = Atomic<Int>(0)

    public init() {}

    public func count(_ outcome: Outcome, type: String) {
        state.withLock { $0.counters[outcome, default: [:]][type, default: 0] += 1 }
    }

    public func observeDuration(_ duration: Duration, type: String) {
        let seconds = Self.seconds(duration)
        state.withLock {
            $0.durations[type, default: Histogram(size: Self.durationBuckets.count)].observe(seconds, bounds: Self.durationBuckets)
        }
    }

    /// A handler run that ended with `outcome`: its duration and the count, under one lock (the
    /// per-job path).
    public func finished(_ outcome: Outcome, type: String, duration: Duration) {
        let seconds = Self.seconds(duration)
        state.withLock {
            $0.durations[type, default: Histogram(size: Self.durationBuckets.count)].observe(seconds, bounds: Self.durationBuckets)
            $0.counters[outcome, default: [:]][type, default: 0] += 1
        }
    }

    public func observePickup(milliseconds: Int64) {
        state.withLock { $0.pickup.observe(Double(max(0, milliseconds)) / 1000, bounds: Self.latencyBuckets) }
    }

    public func setDepth(_ depth: JobQueue.Depth) {
        state.withLock {
            $0.depth = ["queued": depth.queued, "in_flight": depth.inFlight, "retry": depth.retrying,
                        "delayed": depth.delayed, "dead": depth.dead]
        }
    }

    public func addInFlight(_ delta: Int) {
        inFlightCount.add(delta, ordering: .relaxed)
    }

    public func addReaped(_ count: Int) {
        state.withLock { $0.reaped += count }
    }

    public var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    // MARK: GPU fair share

    /// GPU wait buckets, seconds (a slot may take minutes to come free under a burst).
    public static let gpuWaitBuckets: [Double] = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800]

    /// RunPod jobs this worker runs now in `namespace`.
    public func addGPUInFlight(_ delta: Int, namespace: String) {
        state.withLock { $0.gpuInFlight[namespace, default: 0] += delta }
    }

    /// Live GPU leases of `namespace` over every replica, as last seen in Redis.
    public func setGPULeases(_ count: Int, namespace: String) {
        state.withLock { $0.gpuLeases[namespace] = count }
    }

    public func countGPUDeferral(namespace: String) {
        state.withLock { $0.gpuDeferred[namespace, default: 0] += 1 }
    }

    /// Time from a job's first try for a GPU slot to getting one (deferrals included).
    public func observeGPUWait(milliseconds: Int64, namespace: String) {
        state.withLock {
            $0.gpuWait[namespace, default: Histogram(size: Self.gpuWaitBuckets.count)]
                .observe(Double(max(0, milliseconds)) / 1000, bounds: Self.gpuWaitBuckets)
        }
    }

    // MARK: External calls

    /// One call to another service (`runpod`, `cloudinary`, `ffmpeg`, `postgres`, `clipbot`), so
    /// the worker's own share of a job's time can be told from what it waits for.
    public func observeExternal(_ service: String, duration: Duration) {
        let seconds = Self.seconds(duration)
        state.withLock {
            $0.external[service, default: Histogram(size: Self.durationBuckets.count)].observe(seconds, bounds: Self.durationBuckets)
        }
    }

    /// Total seconds and calls per service so far.
    public var externalTotals: [String: (seconds: Double, calls: Int)] {
        state.withLock { $0.external.mapValues { (seconds: $0.sum, calls: $0.count) } }
    }

    public func gpuInFlight(namespace: String) -> Int { state.withLock { $0.gpuInFlight[namespace] ?? 0 } }
    public func gpuDeferrals(namespace: String) -> Int { state.withLock { $0.gpuDeferred[namespace] ?? 0 } }
    public func gpuWaitCount(namespace: String) -> Int { state.withLock { $0.gpuWait[namespace]?.count ?? 0 } }

    public func value(_ outcome: Outcome, type: String) -> Int {
        state.withLock { $0.counters[outcome]?[type] ?? 0 }
    }

    /// The Prometheus text exposition.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        for outcome in Outcome.allCases {
            let name = "clipnet_worker_jobs_\(outcome.rawValue)_total"
            out += "# TYPE \(name) counter\n"
            for (type, value) in (snapshot.counters[outcome] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "\(name){type=\"\(PrometheusText.labelValue(type))\"} \(value)\n"
            }
        }
        out += "# TYPE clipnet_worker_handler_duration_seconds histogram\n"
        for (type, histogram) in snapshot.durations.sorted(by: { $0.key < $1.key }) {
            out += Self.render(histogram, name: "clipnet_worker_handler_duration_seconds", bounds: Self.durationBuckets, labels: "type=\"\(PrometheusText.labelValue(type))\",")
        }
        out += "# TYPE clipnet_worker_pickup_latency_seconds histogram\n"
        out += Self.render(snapshot.pickup, name: "clipnet_worker_pickup_latency_seconds", bounds: Self.latencyBuckets, labels: "")
        out += "# TYPE clipnet_worker_queue_depth gauge\n"
        for (state, value) in snapshot.depth.sorted(by: { $0.key < $1.key }) {
            out += "clipnet_worker_queue_depth{state=\"\(state)\"} \(value)\n"
        }
        out += "# TYPE clipnet_worker_in_flight gauge\nclipnet_worker_in_flight \(inFlight)\n"
        out += "# TYPE clipnet_worker_reaped_jobs_total counter\nclipnet_worker_reaped_jobs_total \(snapshot.reaped)\n"
        if !snapshot.external.isEmpty {
            out += "# TYPE clipnet_worker_external_call_seconds histogram\n"
            for (service, histogram) in snapshot.external.sorted(by: { $0.key < $1.key }) {
                out += Self.render(histogram, name: "clipnet_worker_external_call_seconds", bounds: Self.durationBuckets,
                                   labels: "service=\"\(PrometheusText.labelValue(service))\",")
            }
        }
        if !snapshot.gpuInFlight.isEmpty || !snapshot.gpuLeases.isEmpty {
            out += "# TYPE clipnet_worker_gpu_in_flight gauge\n"
            for (namespace, value) in snapshot.gpuInFlight.sorted(by: { $0.key < $1.key }) {
                out += "clipnet_worker_gpu_in_flight{namespace=\"\(PrometheusText.labelValue(namespace))\"} \(value)\n"
            }
            out += "# TYPE clipnet_worker_gpu_leases gauge\n"
            for (namespace, value) in snapshot.gpuLeases.sorted(by: { $0.key < $1.key }) {
                out += "clipnet_worker_gpu_leases{namespace=\"\(PrometheusText.labelValue(namespace))\"} \(value)\n"
            }
            out += "# TYPE clipnet_worker_gpu_deferred_total counter\n"
            for (namespace, value) in snapshot.gpuDeferred.sorted(by: { $0.key < $1.key }) {
                out += "clipnet_worker_gpu_deferred_total{namespace=\"\(PrometheusText.labelValue(namespace))\"} \(value)\n"
            }
            out += "# TYPE clipnet_worker_gpu_wait_seconds histogram\n"
            for (namespace, histogram) in snapshot.gpuWait.sorted(by: { $0.key < $1.key }) {
                out += Self.render(histogram, name: "clipnet_worker_gpu_wait_seconds", bounds: Self.gpuWaitBuckets,
                                   labels: "namespace=\"\(PrometheusText.labelValue(namespace))\",")
            }
        }
        return out
    }

    private static func render(_ histogram: Histogram, name: String, bounds: [Double], labels: String) -> String {
        var out = ""
        for (index, bound) in bounds.enumerated() {
            out += "\(name)_bucket{\(labels)le=\"\(bound)\"} \(histogram.buckets[index])\n"
        }
        out += "\(name)_bucket{\(labels)le=\"+Inf\"} \(histogram.count)\n"
        let plain = labels.isEmpty ? "" : "{\(labels.dropLast())}"
        out += "\(name)_sum\(plain) \(histogram.sum)\n\(name)_count\(plain) \(histogram.count)\n"
        return out
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
