import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import Foundation
import Logging
import PlatformEmulators
import Reconciler
import ServiceLifecycle
import StagingSandbox

/// `ReconcilerBench rollout [runs] [scale]`: merge to "all three serve R" and to known-good, with
/// the emulators set to realistic durations divided by `scale` (Railway build 90 s and deploy
/// 20 s, Vercel build 60 s, health window 10 s), against the lower bound the platforms set in the
/// same configuration: max(Railway build + deploy, Vercel build), plus the health window for
/// known-good. Two frontend orders (after the backend is verified: target `staging`; beside the
/// backend: a staged `production` build) and two poll intervals (the default 5 s, and 1 s).
/// Each row ends with one `rollback` (re-point, no build) to the previous known-good record,
/// against the platforms' own re-point time (a Railway rollback deployment: initialising and
/// deploying, no build; the Vercel alias is instant).
struct RolloutLatency {
    let runs: Int
    let scale: Double

    func run() async throws {
        let railwayBuild = 90 / scale, railwayDeploy = 20 / scale, vercelBuild = 60 / scale
        let window = max(1, Int((10 / scale).rounded()))
        let serveBound = max(railwayBuild + railwayDeploy, vercelBuild)
        print(
            """
            ## Merge to serving and to known-good (\(runs) pushes per row; durations / \(twoPlaces(scale)): Railway build \(twoPlaces(railwayBuild)) s + deploy \(twoPlaces(railwayDeploy)) s, Vercel build \(twoPlaces(vercelBuild)) s, health window \(window) s)
            lower bound, serving: max(Railway build + deploy, Vercel build) = \(twoPlaces(serveBound)) s; known-good: + health window = \(twoPlaces(serveBound + Double(window))) s

            rollback lower bound: the Railway rollback deployment, \(twoPlaces(railwayDeploy)) s

            | frontend built | rolloutPollInterval | serving p50 | ratio | known-good p50 | ratio | rollback | ratio |
            |---|---|---|---|---|---|---|---|
            """)
        for (label, target) in [("after the backend (target staging)", nil), ("beside the backend (target production)", "production")]
            as [(String, String?)]
        {
            for poll in ["5s", "1s"] {
                let (serving, good, rollback) = try await measure(
                    target: target, poll: poll, railway: (railwayBuild, railwayDeploy), vercel: vercelBuild, window: window)
                let s = percentile(serving, 50), g = percentile(good, 50)
                print(
                    "| \(label) | \(poll) | \(twoPlaces(s)) s | \(twoPlaces(s / serveBound)) | \(twoPlaces(g)) s | \(twoPlaces(g / (serveBound + Double(window)))) | \(twoPlaces(rollback)) s | \(twoPlaces(rollback / railwayDeploy)) |"
                )
            }
        }
    }

    private func measure(
        target: String?, poll: String, railway: (build: Double, deploy: Double), vercel: Double, window: Int
    ) async throws -> (serving: [Double], knownGood: [Double], rollback: Double) {
        let sandbox = try await StagingSandbox.start(
            .init(
                manifestsDirectory: FileManager.default.currentDirectoryPath + "/deploy",
                vercelTimings: .init(queued: .zero, building: .milliseconds(Int64(vercel * 1000))),
                railwayTimings: .init(
                    initializing: .zero, building: .milliseconds(Int64(railway.build * 1000)),
                    deploying: .milliseconds(Int64(railway.deploy * 1000))),
                healthWindowSeconds: window, healthIntervalSeconds: 1, frontendTarget: target))
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
            """, file: "bench.yaml")
        let daemon = try await ReconcilerDaemon.make(configuration: configuration, environment: sandbox.environment, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: daemon.services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        _ = daemon.push(ref: "refs/heads/develop", after: nil)
        try await waitFirstKnownGood(daemon, timeout: 600)

        var serving: [Double] = []
        var knownGood: [Double] = []
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
        await sandbox.stop()
        return (serving, knownGood, rollback)
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
