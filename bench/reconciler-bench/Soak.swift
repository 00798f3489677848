import Foundation
import Logging
import Reconciler

/// `ReconcilerBench soak [passes]` (docs/benchmarks.md, "Daemon soak"): the daemon fetching and
/// reconciling a sandbox staging (in a child process, so the emulators' memory is not counted) for
/// thousands of passes: every pass fetches, observes everything (`fullObserveInterval: 0s`, the
/// most expensive kind of pass), builds the status document, and every 100th pass commits, so
/// rollouts run too. Resident memory is sampled every 100 passes after a warm-up; the growth is
/// the least-squares slope over the samples, in bytes per pass (one fetch each), and the baseline
/// is the resident size after the warm-up.
struct Soak {
    let passes: Int

    func run() async throws {
        let child = try SandboxProcess(manifests: FileManager.default.currentDirectoryPath + "/deploy")
        defer { child.quit() }
        let work = NSTemporaryDirectory() + "reconciler-soak-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let daemon = try await Benchmark.daemon(child: child, work: work, environment: child.environment, logger: logger)
        let warmUp = 500
        var samples: [(pass: Int, rss: Int)] = []
        var rollouts = 0
        let start = ContinuousClock.now
        for pass in 1...(warmUp + passes) {
            if pass % 100 == 0 {
                _ = try child.commit()
                rollouts += 1
            }
            await daemon.fetch()
            var report = await daemon.runPass([.timer])
            // A rollout runs to its end before the next fetch, as the loop would run it.
            while case .requeued = report.result {
                try await Task.sleep(for: .milliseconds(20))
                report = await daemon.runPass([.timer])
            }
            _ = daemon.status()
            if pass >= warmUp, (pass - warmUp) % 100 == 0 { samples.append((pass - warmUp, Self.residentBytes())) }
        }
        let elapsed = start.duration(to: .now)
        let slope = Self.slope(samples)
        let first = samples.first?.rss ?? 0
        let last = samples.last?.rss ?? 0
        print(
            """
            ## Daemon soak (\(passes) passes after a warm-up of \(warmUp); a fetch, a full observation and a status document each; a commit and its rollout every 100 passes: \(rollouts) rollouts)
            resident after warm-up (baseline): \(first / 1024) KiB; at the end: \(last / 1024) KiB; ratio \(String(format: "%.3f", Double(last) / Double(max(first, 1))))
            growth (least-squares over \(samples.count) samples): \(String(format: "%.0f", slope)) bytes per pass (per fetch)
            wall: \(elapsed)
            """)
    }

    /// Resident set size from /proc/self/statm (pages × page size).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func slope(_ samples: [(pass: Int, rss: Int)]) -> Double {
        guard samples.count > 1 else { return 0 }
        let n = Double(samples.count)
        let meanX = samples.reduce(0.0) { $0 + Double($1.pass) } / n
        let meanY = samples.reduce(0.0) { $0 + Double($1.rss) } / n
        let covariance = samples.reduce(0.0) { $0 + (Double($1.pass) - meanX) * (Double($1.rss) - meanY) }
        let variance = samples.reduce(0.0) { $0 + pow(Double($1.pass) - meanX, 2) }
        return variance > 0 ? covariance / variance : 0
    }
}
