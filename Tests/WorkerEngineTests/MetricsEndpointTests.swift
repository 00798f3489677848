import Foundation
import HTTPTransport
import Prometheus
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// The worker's `/metrics` listener, read over HTTP while a worker runs jobs.
@Suite struct MetricsEndpointTests {
    /// Serves `metrics` on a loopback port for the duration of `body`.
    static func withMetricsServer<T: Sendable>(_ metrics: WorkerMetrics, _ body: @Sendable (String, HTTPClient) async throws -> T) async throws -> T {
        let port = try UnusedLoopbackPort.make()
        let server = MetricsServer(host: "127.0.0.1", port: port, metrics: metrics, logger: QueueFixture.quietLogger)
        let http = HTTPClient(runtime: try CurlRuntime())
        let base = "http://127.0.0.1:\(port)"
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let up = await QueueFixture.eventually(.seconds(10)) { (try? await http.send(HTTPRequest(url: base + "/health")))?.status == 200 }
            guard up else { throw QueueError(.configuration, "metrics server did not start") }
            return try await body(base, http)
        }
    }

    @Test func metricsEndpointServesOutcomesDurationsDepthAndPickupByType() async throws {
        let fixture = try await QueueFixture()
        let metrics = WorkerMetrics()
        let handler = ClosureHandler(jobType: "test:record") { job in
            if job.id == "doomed" || (job.id == "flaky" && job.attempt == 1) { throw JobFailure.transient("planned") }
        }
        try await fixture.queue.enqueue(JobEnvelope(id: "ok", type: "test:record"))
        try await fixture.queue.enqueue(JobEnvelope(id: "flaky", type: "test:record", maxAttempts: 3))
        try await fixture.queue.enqueue(JobEnvelope(id: "doomed", type: "test:record", maxAttempts: 1))
        let text = try await Self.withMetricsServer(metrics) { base, http in
            try await fixture.withWorker(handlers: [handler], metrics: metrics, reapInterval: .milliseconds(50)) { _ in
                let text = Mutex("")
                _ = try await QueueFixture.eventually {
                    let response = try await http.send(HTTPRequest(url: base + "/metrics"))
                    #expect(response.status == 200)
                    #expect(response.headers["Content-Type"]?.hasPrefix("text/plain") == true)
                    let body = String(decoding: response.body, as: UTF8.self)
                    text.withLock { $0 = body }
                    return body.contains(#"clipnet_worker_jobs_processed_total{type="test:record"} 2"#)
                        && body.contains(#"clipnet_worker_queue_depth{state="dead"} 1.0"#)
                }
                return text.withLock { $0 }
            }
        }
        for line in [
            #"clipnet_worker_jobs_processed_total{type="test:record"} 2"#,
            #"clipnet_worker_jobs_failed_total{type="test:record"} 2"#,
            #"clipnet_worker_jobs_retried_total{type="test:record"} 1"#,
            #"clipnet_worker_jobs_dead_total{type="test:record"} 1"#,
            #"clipnet_worker_handler_duration_seconds_count{type="test:record"} 4"#,
            #"clipnet_worker_handler_duration_seconds_bucket{type="test:record",le="+Inf"} 4"#,
            "clipnet_worker_pickup_latency_seconds_count 3",
            #"clipnet_worker_queue_depth{state="dead"} 1.0"#,
            #"clipnet_worker_queue_depth{state="queued"} 0.0"#,
            "clipnet_worker_in_flight 0.0",
            "# TYPE clipnet_worker_handler_duration_seconds histogram",
            "# TYPE clipnet_worker_pickup_latency_seconds histogram",
        ] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
        }
    }

    @Test func everyLineIsPrometheusTextFormat() {
        let metrics = WorkerMetrics()
        metrics.count(.processed, type: "clip:process")
        metrics.count(.dead, type: #"we"ird\type"#)
        metrics.observeDuration(.milliseconds(20), type: "clip:process")
        metrics.observePickup(milliseconds: 3)
        metrics.setDepth(JobQueue.Depth(queued: 1, inFlight: 2, retrying: 3, delayed: 4, dead: 5))
        let sample = try! Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+-]+$"#)
        let type = try! Regex(#"^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$"#)
        for line in metrics.render().split(separator: "\n") {
            #expect(line.wholeMatch(of: sample) != nil || line.wholeMatch(of: type) != nil, "not Prometheus text: \(line)")
        }
    }

    @Test func histogramBucketsAreCumulative() {
        let metrics = WorkerMetrics()
        for milliseconds in [0.5, 3, 40, 2000] as [Double] {
            metrics.observeDuration(.microseconds(Int64(milliseconds * 1000)), type: "t")
        }
        let text = metrics.render()
        #expect(text.contains(#"clipnet_worker_handler_duration_seconds_bucket{type="t",le="0.001"} 1"#))
        #expect(text.contains(#"clipnet_worker_handler_duration_seconds_bucket{type="t",le="0.005"} 2"#))
        #expect(text.contains(#"clipnet_worker_handler_duration_seconds_bucket{type="t",le="0.05"} 3"#))
        #expect(text.contains(#"clipnet_worker_handler_duration_seconds_bucket{type="t",le="5.0"} 4"#))
        #expect(text.contains(#"clipnet_worker_handler_duration_seconds_count{type="t"} 4"#))
    }

    @Test func theListenerBindsLoopbackUnlessGivenAnotherHost() {
        #expect(MetricsServer(port: 9464, metrics: WorkerMetrics(), logger: QueueFixture.quietLogger).host == "127.0.0.1")
    }

    @Test func metricsGoIntoTheRegistryTheyAreGiven() {
        let registry = PrometheusCollectorRegistry()
        let metrics = WorkerMetrics(registry: registry)
        metrics.count(.processed, type: "clip:process")
        #expect(registry.emitToString().contains(#"clipnet_worker_jobs_processed_total{type="clip:process"} 1"#))
        #expect(metrics.value(.processed, type: "clip:process") == 1)
    }
}
