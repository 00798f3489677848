import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import ClipnetMetrics
import Foundation
import Logging
import PlatformEmulators
import Reconciler
import ReconcilerHTTP
import ServiceLifecycle
import StagingSandbox

/// `ReconcilerBench rollout [runs] [scale]`: merge to "all three serve R" and to known-good, with
/// the emulators set to realistic durations divided by `scale` (Railway build 90 s and deploy
/// 20 s, Vercel build 60 s, health window 10 s), against the lower bound the platforms set in the
/// same configuration: max(Railway build + deploy, Vercel build), plus the health window for
/// known-good. Two frontend orders (after the backend is verified: target `staging`; beside the
/// backend: a staged `production` build), each with the default 5 s poll alone and with the
/// platforms' deployment webhooks delivered to the daemon's HTTP server as well.
/// Each row ends with one `rollback` (re-point, no build) to the previous known-good record,
/// against the platforms' own re-point time (a Railway rollback deployment: initialising and
/// deploying, no build; the Vercel alias is instant).
///
/// The controller's added time per rollout comes from the rollout's phase timeline against the
/// emulators' own clocks: `deployBackend` ends minus the moment the later Railway deployment
/// finished, plus `deployFrontend` ends minus the later of the Vercel build finishing and the
/// phase starting. What is left is the time between a platform reaching a state and the
/// controller acting on it.
struct RolloutLatency {
    let runs: Int
    let scale: Double
    /// Only the notifier's cost: the frontend beside the backend with webhooks, without and with
    /// two notification channels (the Slack emulator and the signed-webhook sink).
    var notificationsOnly = false

    func run() async throws {
        let railwayBuild = 90 / scale, railwayDeploy = 20 / scale, vercelBuild = 60 / scale
        let window = max(1, Int((10 / scale).rounded()))
        let serveBound = max(railwayBuild + railwayDeploy, vercelBuild)
        print(
            """
            ## Merge to serving and to known-good (\(runs) pushes per row; durations / \(twoPlaces(scale)): Railway build \(twoPlaces(railwayBuild)) s + deploy \(twoPlaces(railwayDeploy)) s, Vercel build \(twoPlaces(vercelBuild)) s, health window \(window) s)
            lower bound, serving: max(Railway build + deploy, Vercel build) = \(twoPlaces(serveBound)) s; known-good: + health window = \(twoPlaces(serveBound + Double(window))) s

            rollback lower bound: the Railway rollback deployment, \(twoPlaces(railwayDeploy)) s

            | frontend built | woken by | serving p50 | ratio | known-good p50 | ratio | rollback | ratio | controller added p50 (p90) |
            |---|---|---|---|---|---|---|---|---|
            """)
        let rows: [(label: String, target: String?, webhooks: Bool, notifications: Bool)] =
            notificationsOnly
            ? [
                ("beside the backend (target production)", "production", true, false),
                ("beside the backend, notifying Slack and a webhook", "production", true, true),
            ]
            : [
                ("after the backend (target staging)", nil, false, false), ("after the backend (target staging)", nil, true, false),
                ("beside the backend (target production)", "production", false, false),
                ("beside the backend (target production)", "production", true, false),
            ]
        for row in rows {
            let result = try await measure(
                target: row.target, poll: "5s", webhooks: row.webhooks, notifications: row.notifications, railway: (railwayBuild, railwayDeploy),
                vercel: vercelBuild, window: window)
            let s = percentile(result.serving, 50), g = percentile(result.knownGood, 50)
            let added = "\(twoPlaces(percentile(result.added, 50))) s (\(twoPlaces(percentile(result.added, 90))) s)"
            print(
                "| \(row.label) | \(row.webhooks ? "5 s polls + webhooks" : "5 s polls") | \(twoPlaces(s)) s | \(twoPlaces(s / serveBound)) | \(twoPlaces(g)) s | \(twoPlaces(g / (serveBound + Double(window)))) | \(twoPlaces(result.rollback)) s | \(twoPlaces(result.rollback / railwayDeploy)) | \(added) |"
            )
        }
    }

    /// The controller's added time in the rollout now shown by `daemon` (see the type's comment).
    private func addedTime(_ daemon: ReconcilerDaemon, _ sandbox: StagingSandbox) throws -> Double {
        guard let rollout = daemon.status().document.rollout, let timeline = rollout.timeline,
            let backend = timeline.first(where: { $0.phase == .deployBackend })?.endedAt,
            let frontend = timeline.first(where: { $0.phase == .deployFrontend }), let aliased = frontend.endedAt,
            let api = rollout.deployments.api.flatMap(sandbox.railway.finishedAt),
            let worker = rollout.deployments.worker.flatMap(sandbox.railway.finishedAt),
            let built = rollout.deployments.frontend.flatMap(sandbox.vercel.finishedAt)
        else { throw BenchError("the rollout's timeline or deployments are incomplete") }
        return backend.timeIntervalSince(max(api, worker)) + aliased.timeIntervalSince(max(built, frontend.startedAt))
    }

    private func measure(
        target: String?, poll: String, webhooks: Bool, notifications: Bool = false, railway: (build: Double, deploy: Double), vercel: Double,
        window: Int
    ) async throws -> (serving: [Double], knownGood: [Double], rollback: Double, added: [Double]) {
        var options = StagingSandbox.Options(
            manifestsDirectory: FileManager.default.currentDirectoryPath + "/deploy",
            vercelTimings: .init(queued: .zero, building: .milliseconds(Int64(vercel * 1000))),
            railwayTimings: .init(
                initializing: .zero, building: .milliseconds(Int64(railway.build * 1000)),
                deploying: .milliseconds(Int64(railway.deploy * 1000))),
            healthWindowSeconds: window, healthIntervalSeconds: 1, frontendTarget: target)
        options.notifications = notifications
        let sandbox = try await StagingSandbox.start(options)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: \(sandbox.repository.path)
              branch: develop
              pollInterval: 1h
            state: file:\(sandbox.stateDirectory)
            listen: 127.0.0.1:0
            reconcile:
              driftInterval: 1h
              rolloutPollInterval: \(poll)
              workerVersionSource: platform
            \(sandbox.notifications?.configuration ?? "")
            """, file: "bench.yaml")
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, environment: sandbox.environment, logger: logger)
        var services = daemon.services
        let (ports, listening) = AsyncStream<Int>.makeStream()
        if webhooks {
            let server = OperatorServer.makeApplication(
                control: daemon,
                configuration: .init(host: "127.0.0.1", port: 0, platformWebhookSecrets: daemon.platformWebhookSecrets),
                registry: ClipnetMetrics.bootstrap(), logger: logger, onListening: { listening.yield($0) })
            services.append(.init(service: server))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        if webhooks {
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw BenchError("the operator server did not start") }
            try sandbox.sendPlatformWebhooks(to: "http://127.0.0.1:\(port)")
        }
        _ = daemon.push(ref: "refs/heads/develop", after: nil)
        try await waitFirstKnownGood(daemon, timeout: 600)

        var serving: [Double] = []
        var knownGood: [Double] = []
        var added: [Double] = []
        for round in 0..<runs {
            let sha = try sandbox.commit("Latency change \(round)", files: ["bench/latency-\(round).txt": "\(round)\n"])
            let start = ContinuousClock.now
            _ = daemon.push(ref: "refs/heads/develop", after: sha)
            var served: Double?
            while true {
                if served == nil, servingAll(sandbox, sha) { served = start.duration(to: .now).seconds }
                if daemon.status().document.knownGood?.revision == sha { break }
                guard start.duration(to: .now) < .seconds(600) else { throw BenchError("the rollout of \(sha) did not finish") }
                try await Task.sleep(for: .milliseconds(10))
            }
            knownGood.append(start.duration(to: .now).seconds)
            serving.append(served ?? start.duration(to: .now).seconds)
            added.append(try addedTime(daemon, sandbox))
        }
        // One rollback to the previous known-good record: re-point, no build.
        let target = try await daemon.rollback(to: nil, reason: "benchmark", by: "bench")
        let start = ContinuousClock.now
        while true {
            let document = daemon.status().document
            let settled = document.rollout.map { $0.revision == target.revision && !$0.isActive } ?? false
            if settled && document.knownGood?.revision == target.revision && servingAll(sandbox, target.revision) { break }
            guard start.duration(to: .now) < .seconds(600) else { throw BenchError("the rollback to \(target.revision) did not finish") }
            try await Task.sleep(for: .milliseconds(10))
        }
        let rollback = start.duration(to: .now).seconds
        await group.triggerGracefulShutdown()
        _ = await running.result
        if let notifications = sandbox.notifications {
            // Evidence the channels were used while the rollouts were timed.
            print("<!-- notifications: \(notifications.slack.messages.count) Slack messages, \(notifications.sink.accepted.count) webhook events -->")
        }
        await sandbox.stop()
        return (serving, knownGood, rollback, added)
    }

    /// Whether the API's and the worker's serving deployments and the frontend's alias run `sha`.
    private func servingAll(_ sandbox: StagingSandbox, _ sha: String) -> Bool {
        let manifest = sandbox.manifest
        let api = sandbox.railway.servingDeployment(serviceId: manifest.railway.services.api.serviceId, environmentId: manifest.railway.environmentId)
        let worker = sandbox.railway.servingDeployment(
            serviceId: manifest.railway.services.worker.serviceId, environmentId: manifest.railway.environmentId)
        let alias = sandbox.vercel.aliasTarget(manifest.frontend.domain)
        return api?.revision == sha && worker?.revision == sha && sandbox.vercel.deployments().first { $0.id == alias }?.sha == sha
    }

    private func waitFirstKnownGood(_ daemon: ReconcilerDaemon, timeout: Double) async throws {
        let start = ContinuousClock.now
        while true {
            let document = daemon.status().document
            if document.knownGood != nil, document.rollout?.isActive != true { return }
            guard start.duration(to: .now) < .seconds(timeout) else { throw BenchError("the first rollout did not finish") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
