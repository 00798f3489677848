import ClipnetContracts
import Deployers
import Foundation
import GitWatch
import HTTPTransport
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Metrics
import PlatformEmulators
import Prometheus
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport
import TestSupport
import Testing

@Suite struct MetricsTests {
    /// The daemon's own code records through swift-metrics; with the Prometheus factory those
    /// metrics come out of `/metrics` in the Prometheus text format.
    @Test func theDaemonsMetricsComeOutInPrometheusTextFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withMetricsFactory(ClipnetMetrics.makeFactory(registry: registry)) {
            // A reconcile pass that succeeds and one that fails (PassRecorder records both).
            _ = PassRecorder(startedAt: Date()).finish(.succeeded, message: "nothing to do")
            let failing = PassRecorder(startedAt: Date())
            failing.enter("observe")
            _ = failing.finish(ReconcileError.transient(.platformUnavailable, "railway answered 503"), logger: Harness.quiet)

            // A git fetch that works and one that fails (GitMirror records both).
            let runtime = try GitRuntime()
            let fixture = try GitFixture()
            let state = try TemporaryDirectory(prefix: "metrics-mirror")
            let mirror = try await GitMirror.open(url: fixture.url, directory: state.path + "/good.git", runtime: runtime)
            try await mirror.fetch()
            let broken = try await GitMirror.open(
                url: "file://\(state.path)/no-such-repository", directory: state.path + "/bad.git", runtime: runtime)
            await #expect(throws: (any Error).self) { try await broken.fetch() }

            // A platform API call (PlatformTransport records each attempt).
            let emulator = VercelEmulator(configuration: .init(token: "vercel-token", teamId: "team_clipnet"))
            emulator.addProject(id: "prj_frontend", name: "clipnet-web", org: "clipnet", repo: "clipnet")
            let server = try await emulator.start()
            let runtimeCurl = try CurlRuntime()
            let vercel = VercelDeployer(
                configuration: VercelConfiguration(
                    baseURL: server.baseURL, token: "vercel-token", teamId: "team_clipnet", projectId: "prj_frontend", projectName: "clipnet-web",
                    gitOrg: "clipnet", gitRepo: "clipnet", gitRef: "develop", alias: "staging.clipnet.ai", target: .preview),
                client: HTTPClient(runtime: runtimeCurl), logger: Harness.quiet)
            var failure: (any Error)?
            do { _ = try await vercel.topology() } catch { failure = error }
            await server.stop()
            if let failure { throw failure }
        }

        try await Harness.test(registry: registry) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
            let text = response.text
            for expected in [
                "# TYPE reconcile_duration_seconds histogram",
                "reconcile_duration_seconds_count 2",
                #"reconcile_duration_seconds_bucket{le="+Inf"} 2"#,
                "# TYPE reconciles_total counter",
                #"reconciles_total{result="succeeded"} 1"#,
                #"reconciles_total{result="failed"} 1"#,
                "# TYPE git_fetch_duration_seconds histogram",
                "git_fetch_duration_seconds_count 1",
                "git_fetch_failures_total 1",
                #"platform_api_requests_total{platform="vercel",operation="getProject",status="200"} 1"#,
                "# TYPE platform_api_request_duration_seconds histogram",
                #"reconciler_drift{kind="versionSkew"} 1"#,
                #"reconciler_drift{kind="alias"} 0"#,
                #"reconciler_desired_revision_info{environment="staging",revision="\#(SampleEnvironment.head)",source="branch"} 1"#,
                #"reconciler_known_good_revision_info{environment="staging",revision="\#(SampleEnvironment.knownGood)"} 1"#,
                "reconciler_leader 1",
            ] {
                #expect(text.contains(expected), "missing: \(expected)")
            }
            #expect(Self.isPrometheusText(text))
        }
    }

    @Test func theRevisionInfoGaugeFollowsThePin() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            _ = try await client.execute(
                uri: "/pin", method: .post, headers: Harness.authorized,
                body: Harness.body(#"{"revision":"\#(SampleEnvironment.knownGood)","reason":"hold"}"#))
            let text = try await client.execute(uri: "/metrics", method: .get).text
            #expect(
                text.contains(#"reconciler_desired_revision_info{environment="staging",revision="\#(SampleEnvironment.knownGood)",source="pin"} 1"#))
            #expect(!text.contains(#"revision="\#(SampleEnvironment.head)""#))
        }
    }

    @Test func theDaemonsTimersGetBucketsForTheirRange() {
        let factory = ClipnetMetrics.makeFactory(registry: PrometheusCollectorRegistry())
        #expect(factory.durationHistogramBuckets["reconcile_duration_seconds"]?.last == .seconds(900))
        #expect(factory.durationHistogramBuckets["git_fetch_duration_seconds"] != nil)
    }

    /// Every line is a comment (`# HELP`/`# TYPE`) or `name{labels} value`, names in Prometheus' alphabet.
    static func isPrometheusText(_ text: String) -> Bool {
        let sample =
            #/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? [-+0-9.eEInfNa]+$/#
        return text.split(separator: "\n").allSatisfy { line in
            line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") || line.wholeMatch(of: sample) != nil
        }
    }

    @Test func thePrometheusTextCheckCanFail() {
        #expect(!Self.isPrometheusText("reconciles total 1"))
        #expect(!Self.isPrometheusText("reconciles_total{result=succeeded} 1"))
        #expect(Self.isPrometheusText("# TYPE x counter\nx{a=\"b\"} 1"))
    }
}

@Suite struct DeliveryMetricSeriesTests {
    /// The delivery series count what is appended after the daemon first read the history: a
    /// deployment with its lead time, a failure, and the restore after it.
    @Test func newDeploymentsFailuresAndRestoresBecomePrometheusSeries() async throws {
        let registry = PrometheusCollectorRegistry()
        let directory = try TemporaryDirectory(prefix: "delivery-series")
        let store = try FileStateStore(directory: directory.path)
        let book = DeliveryBook()
        let start = Date()
        try await withMetricsFactory(ClipnetMetrics.makeFactory(registry: registry)) {
            // What was there before the daemon started is in the summary, not in the counters.
            let before = try await store.update(environment: "staging") { _ in
                [HistoryEntry(at: start, kind: .knownGood, revision: String(repeating: "1", count: 40), rolloutID: "ro-0", commitAt: start - 60)]
            }
            let first = await book.refresh(store: store, environment: "staging", historySequence: before.historySequence, now: start)
            #expect(first?.windows.first?.deployments == 1)
            let after = try await store.update(environment: "staging") { _ in
                [
                    HistoryEntry(
                        at: start + 10, kind: .knownGood, revision: String(repeating: "2", count: 40), rolloutID: "ro-1", commitAt: start - 590),
                    HistoryEntry(at: start + 20, kind: .rolloutFailed, revision: String(repeating: "3", count: 40), rolloutID: "ro-2"),
                    HistoryEntry(at: start + 130, kind: .rolledBack, revision: String(repeating: "2", count: 40), rolloutID: "ro-2"),
                ]
            }
            let second = await book.refresh(store: store, environment: "staging", historySequence: after.historySequence, now: start + 150)
            #expect(second?.windows.first?.deployments == 2)
            #expect(second?.windows.first?.changeFailureRate == 1.0 / 3.0)
            // Nothing changed: no new read.
            #expect(await book.refresh(store: store, environment: "staging", historySequence: after.historySequence, now: start + 151) == nil)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        for expected in [
            "reconciler_deployments_total 1", "reconciler_change_failures_total 1",
            "reconciler_change_lead_time_seconds_count 1", #"reconciler_change_lead_time_seconds_bucket{le="300.0"} 0"#,
            #"reconciler_change_lead_time_seconds_bucket{le="900.0"} 1"#,
            "reconciler_time_to_restore_seconds_count 1", #"reconciler_time_to_restore_seconds_bucket{le="120.0"} 1"#,
        ] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
    }
}

@Suite struct DashboardMetricNamesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every series the Grafana dashboard and the operations guide's PromQL ask for is one the
    /// daemon records (a renamed metric would leave an empty panel, silently).
    @Test func theDeliveryDashboardAsksOnlyForSeriesTheDaemonRecords() throws {
        var labels: Set<String> = []
        let sources = Self.root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let pattern = try Regex(#"label: "(reconciler_[a-z_]+)""#)
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) { labels.insert(String(match.output[1].substring ?? "")) }
        }
        #expect(labels.contains("reconciler_deployments_total"))
        let series = try Regex(#"reconciler_[a-z_]+"#)
        for document in ["docs/grafana-delivery.json", "docs/operations.md"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            // The guide: its delivery section only (up to the next chapter).
            let section =
                document.hasSuffix(".md")
                ? String(text.components(separatedBy: "### Delivery metrics").last?.components(separatedBy: "\n## ").first ?? "") : text
            #expect(section.contains("reconciler_"), "\(document) has no delivery series")
            for match in section.matches(of: series) {
                var name = String(section[match.range])
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
                #expect(labels.contains(name), "\(document) names \(name), which no code records")
            }
        }
    }
}
