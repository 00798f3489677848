import ClipnetConfig
import Foundation
import KnownGoodStore
import Logging
import PlatformEmulators
import Reconciler
import StagingSandbox

/// `make bench` (docs/benchmarks.md, "Platform request budget"): how many requests the
/// reconciler sends to Railway and Vercel in an idle hour and in one whole rollout, at the
/// default settings, against the emulators.
///
/// Time is scaled: every duration (drift interval, full-observation interval, poll interval,
/// build and deploy times, health window) is divided by `scale`, so an hour runs in a minute.
/// Request counts depend on the ratios between those durations, not on their size, so they are
/// what the real hour would send. The baseline, in the same run, is the idle hour with
/// `fullObserveInterval: 0s` (every drift check observes everything, as before the quick look).
@main
struct PlatformBudgetBench {
    /// Real seconds per scaled second.
    static let scale = 60.0

    static func main() async throws {
        let manifests = FileManager.default.currentDirectoryPath + "/deploy"
        let quick = try await idleHour(manifests: manifests, fullObserveEvery: "15m")
        let full = try await idleHour(manifests: manifests, fullObserveEvery: "0s")
        let rollout = try await rollout(manifests: manifests)
        print(
            """
            ## Platform request budget (time scaled 1/\(Int(scale)): an hour runs in \(Int(3600 / scale)) s)
            idle hour, default settings (drift check every 60 s, full observation every 15 min):
              Railway \(quick.railway) requests, Vercel \(quick.vercel) requests
            idle hour, baseline (every drift check observes in full):
              Railway \(full.railway) requests, Vercel \(full.vercel) requests
            ratio Railway default / baseline: \(String(format: "%.2f", Double(quick.railway) / Double(max(1, full.railway))))
            one rollout with 3-minute builds (Railway build 3 min, deploy 20 s; Vercel build 3 min; health window 2 min):
              Railway \(rollout.counts.railway) requests, Vercel \(rollout.counts.vercel) requests, \(rollout.passes) passes, \(String(format: "%.0f", rollout.seconds * scale)) s scaled
              Railway by operation: \(rollout.operations)
            """)
    }

    struct Counts {
        var railway: Int
        var vercel: Int
    }

    static func scaled(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000 / scale)) }

    static func daemon(_ sandbox: StagingSandbox, extra: String) async throws -> ReconcilerDaemon {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let text = sandbox.daemonConfiguration(
            pollInterval: "1h", driftInterval: "\(Int(60_000 / scale))ms", rolloutPollInterval: "\(Int(5_000 / scale))ms", verifyTimeout: "60s"
        )
        .replacingOccurrences(of: "  leaderCheckInterval: 300ms", with: "  leaderCheckInterval: 300ms\n" + extra)
        let configuration = try DaemonConfiguration.parse(text, file: "bench.yaml")
        return try await ReconcilerDaemon.make(configuration: configuration, environment: sandbox.environment, logger: logger)
    }

    static func start(_ manifests: String) async throws -> StagingSandbox {
        try await StagingSandbox.start(
            .init(
                manifestsDirectory: manifests,
                vercelTimings: .init(queued: scaled(5), building: scaled(180)),
                railwayTimings: .init(initializing: scaled(10), building: scaled(180), deploying: scaled(20)),
                healthWindowSeconds: 2, healthIntervalSeconds: 1))
    }

    /// Runs passes as the loop would (waiting the delay each asks for) until one settles.
    static func settle(_ daemon: ReconcilerDaemon) async throws -> Int {
        await daemon.fetch()
        for pass in 1...10_000 {
            let report = await daemon.runPass([.timer])
            switch report.result {
            case .requeued(let after), .waiting(let after): try await Task.sleep(for: after)
            case .failed: try await Task.sleep(for: scaled(5))
            case .succeeded, .stalled:
                if try await daemon.loadState().rollout?.isActive != true { return pass }
            }
        }
        throw BenchError("no settled pass")
    }

    static func counts(_ sandbox: StagingSandbox) -> Counts {
        Counts(railway: sandbox.railwayServer.host.log.all.count, vercel: sandbox.vercelServer.host.log.all.count)
    }

    static func clear(_ sandbox: StagingSandbox) {
        sandbox.railwayServer.host.log.clear()
        sandbox.vercelServer.host.log.clear()
    }

    /// Sixty drift checks, one a scaled minute, after the first rollout settled.
    static func idleHour(manifests: String, fullObserveEvery: String) async throws -> Counts {
        let sandbox = try await start(manifests)
        defer { Task { await sandbox.stop() } }
        let daemon = try await daemon(
            sandbox,
            extra:
                "  fullObserveInterval: \(fullObserveEvery == "0s" ? "0s" : "\(Int(900_000 / scale))ms")\n  readinessInterval: \(Int(3_600_000 / scale))ms"
        )
        try sandbox.commit("First")
        _ = try await settle(daemon)
        clear(sandbox)
        for _ in 0..<60 {
            _ = await daemon.runPass([.timer])
            try await Task.sleep(for: scaled(60))
        }
        return counts(sandbox)
    }

    static func rollout(manifests: String) async throws -> (counts: Counts, passes: Int, seconds: Double, operations: String) {
        let sandbox = try await start(manifests)
        defer { Task { await sandbox.stop() } }
        let daemon = try await daemon(
            sandbox, extra: "  fullObserveInterval: \(Int(900_000 / scale))ms\n  readinessInterval: \(Int(3_600_000 / scale))ms")
        try sandbox.commit("First")
        _ = try await settle(daemon)
        try sandbox.commit("Second")
        clear(sandbox)
        let start = ContinuousClock.now
        let passes = try await settle(daemon)
        let elapsed = start.duration(to: .now)
        let operations = Dictionary(grouping: sandbox.railwayServer.host.log.all, by: { $0.operation ?? "?" })
            .map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
        return (counts(sandbox), passes, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, operations)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
