import AsyncPrimitives
import ClipnetJSON
import Foundation
import PlatformEmulators
import StagingSandbox

/// `ReconcilerBench sandbox`: the emulators, the API simulator and the git repository in a
/// process of their own, so the benchmark can tell the reconciler's CPU from the emulators'.
/// Speaks a line protocol on stdin/stdout:
/// - first line out: the sandbox as JSON (repository, environment for the daemon);
/// - `commit` → the new commit id;
/// - `cpu` → this process's user+system CPU time in nanoseconds;
/// - `wait-deploy SHA` → the wall time (seconds since 1970) at which the first Railway deploy
///   request for SHA arrived (polled every 0.2 ms);
/// - `quit`.
enum SandboxChild {
    static func run(manifests: String) async throws {
        let sandbox = try await StagingSandbox.start(
            .init(
                manifestsDirectory: manifests, vercelTimings: .init(queued: .milliseconds(10), building: .milliseconds(40)),
                railwayTimings: .init(initializing: .milliseconds(10), building: .milliseconds(40), deploying: .milliseconds(10))))
        let description: [String: Any] = [
            "repository": sandbox.repository.path, "root": sandbox.root, "environment": sandbox.environment,
        ]
        let data = try JSONSerialization.data(withJSONObject: description, options: [.sortedKeys])
        reply(String(decoding: data, as: UTF8.self))
        var counter = 0
        while let line = readLine() {
            let parts = line.split(separator: " ").map(String.init)
            switch parts.first {
            case "commit":
                counter += 1
                reply(try sandbox.commit("Benchmark change \(counter)", files: ["bench/\(counter).txt": "\(counter)\n"]))
            case "cpu":
                reply("\(BenchClock.processCPU().nanoseconds)")
            case "wait-deploy":
                let sha = parts.count > 1 ? parts[1] : ""
                while !sandbox.railwayServer.host.log.requests(operation: "serviceInstanceDeployV2").contains(where: {
                    $0.json?["variables"]?["commitSha"]?.stringValue == sha
                }) {
                    try await Task.sleep(for: .microseconds(200))
                }
                reply(String(format: "%.6f", Date().timeIntervalSince1970))
            case "quit":
                await sandbox.stop()
                return
            default:
                reply("error unknown command")
            }
        }
        await sandbox.stop()
    }

    /// One line to the parent, unbuffered.
    static func reply(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// CPU and wall clocks for the benchmark.
enum BenchClock {
    /// User + system CPU of this whole process (every thread).
    static func processCPU() -> Duration {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let micros = Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return .microseconds(micros)
    }
}
