import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import Crypto
import Foundation
import HTTPTransport
import KnownGoodStore
import Logging
import Reconciler
import ReconcilerHTTP
import ServiceLifecycle

/// The reconciler's benchmarks (docs/benchmarks.md, "Reconciler"):
/// 1. A no-op reconcile: one pass that observes the three services on the loopback emulators,
///    diffs and changes nothing. CPU of the reconciler's process per pass, beside the CPU the
///    emulators' process spent answering it (the named baseline), measured in the same run.
/// 2. Webhook to first deploy request: a signed GitHub push webhook to the status server until the
///    Railway emulator receives the first deploy request of the pushed commit; beside it, in the
///    same run, a bare `git fetch` of a new commit into a plain mirror (what a webhook-driven fetch
///    costs when done the usual way, by running git).
@main
struct ReconcilerBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == "sandbox" {
            try await SandboxChild.run(manifests: arguments.count > 2 ? arguments[2] : "deploy")
            return
        }
        if arguments.count > 1, arguments[1] == "rollout-notifications" {
            try await RolloutLatency(
                runs: arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3, scale: arguments.count > 3 ? Double(arguments[3]) ?? 10 : 10,
                notificationsOnly: true
            ).run()
            return
        }
        if arguments.count > 1, arguments[1] == "rollout" {
            try await RolloutLatency(
                runs: arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3, scale: arguments.count > 3 ? Double(arguments[3]) ?? 10 : 10
            ).run()
            return
        }
        if arguments.count > 1, arguments[1] == "soak" {
            try await Soak(passes: arguments.count > 2 ? Int(arguments[2]) ?? 3_000 : 3_000).run()
            return
        }
        let passes = arguments.count > 1 ? Int(arguments[1]) ?? 300 : 300
        let webhooks = arguments.count > 2 ? Int(arguments[2]) ?? 20 : 20
        try await Benchmark(passes: passes, webhooks: webhooks).run()
    }
}

struct Benchmark {
    let passes: Int
    let webhooks: Int

    func run() async throws {
        let child = try SandboxProcess(manifests: FileManager.default.currentDirectoryPath + "/deploy")
        defer { child.quit() }
        let work = NSTemporaryDirectory() + "reconciler-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let registry = ClipnetMetrics.bootstrap()
        let secret = "bench-webhook-secret-\(getpid())"
        var environment = child.environment
        environment["GITHUB_WEBHOOK_SECRET"] = secret
        let daemon = try await Self.daemon(child: child, work: work, environment: environment, logger: logger)

        // Settle the first rollout (the manifests commit), then warm up.
        await daemon.fetch()
        for _ in 0..<400 {
            let report = await daemon.runPass([.timer])
            if case .succeeded = report.result, try await daemon.loadState().rollout?.isActive != true { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard try await daemon.loadState().knownGood != nil else { throw BenchError("the first rollout did not finish") }
        for _ in 0..<20 { _ = await daemon.runPass([.timer]) }

        // 1. No-op reconcile
        var cpu: [Double] = []
        var wall: [Double] = []
        let childBefore = try child.cpu()
        let selfBefore = BenchClock.processCPU()
        for _ in 0..<passes {
            let cpuStart = BenchClock.processCPU()
            let start = ContinuousClock.now
            let report = await daemon.runPass([.timer])
            wall.append(start.duration(to: .now).milliseconds)
            cpu.append((BenchClock.processCPU() - cpuStart).milliseconds)
            guard case .succeeded = report.result else { throw BenchError("a no-op pass did not succeed: \(report)") }
        }
        let selfTotal = (BenchClock.processCPU() - selfBefore).milliseconds
        let childTotal = try child.cpu() - childBefore
        print(
            """
            ## No-op reconcile (\(passes) passes; observe 3 services, variables, project, auto-deploy, API version and health; diff)
            reconciler CPU per pass: mean \(twoPlaces(selfTotal / Double(passes))) ms, p50 \(twoPlaces(percentile(cpu, 50))) ms, p90 \(twoPlaces(percentile(cpu, 90))) ms
            emulators' CPU per pass (baseline, same run): mean \(twoPlaces(childTotal.milliseconds / Double(passes))) ms
            ratio reconciler / emulators: \(twoPlaces(selfTotal / childTotal.milliseconds))
            wall per pass: p50 \(twoPlaces(percentile(wall, 50))) ms, p99 \(twoPlaces(percentile(wall, 99))) ms
            """)

        // 2. Webhook to first deploy request, through the real HTTP server and the daemon's loop.
        let ports = AsyncStream<Int>.makeStream()
        let server = OperatorServer.makeApplication(
            control: daemon, configuration: .init(host: "127.0.0.1", port: 0, operatorToken: nil, webhookSecret: secret),
            registry: registry, logger: logger, onListening: { ports.continuation.yield($0) })
        let group = ServiceGroup(
            configuration: .init(
                services: daemon.services + [.init(service: server)], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchError("the server did not start") }
        let runtime = try CurlRuntime()
        let client = HTTPClient(runtime: runtime)
        var latencies: [Double] = []
        var fetchedAfter: [Double] = []
        var gitFetch: [Double] = []
        let plainMirror = work + "/plain.git"
        try shell(["git", "clone", "-q", "--mirror", child.repository, plainMirror])
        for round in 0..<webhooks {
            let sha = try child.commit()
            let body = Array(#"{"ref":"refs/heads/develop","after":"\#(sha)","repository":{"full_name":"clipnet/clipnet"}}"#.utf8)
            let signature =
                "sha256="
                + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            let sent = Date().timeIntervalSince1970
            // When the daemon's watcher has the commit: splits the time into fetch and pass.
            let watching = Task { () -> Double? in
                while !Task.isCancelled {
                    if daemon.status().document.git.head == sha { return Date().timeIntervalSince1970 }
                    try? await Task.sleep(for: .microseconds(200))
                }
                return nil
            }
            let response = try await client.send(
                HTTPRequest(
                    method: .post, url: "http://127.0.0.1:\(port)/webhooks/github",
                    headers: [
                        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": signature,
                        "X-GitHub-Delivery": "bench-\(round)",
                    ],
                    body: body))
            guard response.isSuccess else { throw BenchError("webhook answered \(response.status): \(response.text)") }
            let arrived = try child.waitForDeploy(sha)
            latencies.append((arrived - sent) * 1000)
            watching.cancel()
            if let fetched = await watching.value { fetchedAfter.append((fetched - sent) * 1000) }
            // Let the rollout finish before the next push.
            for _ in 0..<500 {
                if daemon.status().document.knownGood?.revision == sha { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let start = ContinuousClock.now
            try shell(["git", "-C", plainMirror, "fetch", "-q", "--prune", "origin"])
            gitFetch.append(start.duration(to: .now).milliseconds)
        }
        await group.triggerGracefulShutdown()
        _ = await running.result
        // Where the pass that starts a rollout spends its time (one more push, driven by hand).
        var stages: [String: [Double]] = [:]
        var order: [String] = []
        for _ in 0..<10 {
            let sha = try child.commit()
            await daemon.fetch()
            let report = await daemon.runPass([.newHead])
            for step in report.steps {
                if stages[step.name] == nil { order.append(step.name) }
                stages[step.name, default: []].append(step.duration.milliseconds)
            }
            _ = try child.waitForDeploy(sha)
            for _ in 0..<400 {
                let report = await daemon.runPass([.timer])
                if case .succeeded = report.result, try await daemon.loadState().rollout?.isActive != true { break }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let breakdown = order.map { "\($0) \(twoPlaces(percentile(stages[$0] ?? [], 50))) ms" }.joined(separator: ", ")
        print(
            """

            ## Webhook to first deploy request (\(webhooks) pushes, signed webhook over HTTP, loop and watcher running)
            webhook → first Railway deploy request: p50 \(twoPlaces(percentile(latencies, 50))) ms, p90 \(twoPlaces(percentile(latencies, 90))) ms, max \(twoPlaces(latencies.max() ?? 0)) ms
            baseline, same run: bare `git fetch --prune` of the same commits into a plain mirror: p50 \(twoPlaces(percentile(gitFetch, 50))) ms
            ratio (p50) webhook-to-deploy / git fetch: \(twoPlaces(percentile(latencies, 50) / max(percentile(gitFetch, 50), 0.001)))
            of which webhook → the daemon's watcher has the commit (its libgit2 fetch): p50 \(twoPlaces(percentile(fetchedAfter, 50))) ms, p90 \(twoPlaces(percentile(fetchedAfter, 90))) ms
            the pass that starts a rollout, by stage (p50 of 10, up to its first wait): \(breakdown)
            """)
    }

    /// The daemon over the sandbox child: file store in `work`, no timers (the benchmark drives it).
    static func daemon(child: SandboxProcess, work: String, environment: [String: String], logger: Logger) async throws -> ReconcilerDaemon {
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: \(child.repository)
              branch: develop
              pollInterval: 1h
            state: file:\(work)/state
            listen: 127.0.0.1:0
            reconcile:
              driftInterval: 1h
              fullObserveInterval: 0s
              rolloutPollInterval: 20ms
              workerVersionSource: platform
            """, file: "bench.yaml")
        return try await ReconcilerDaemon.make(configuration: configuration, environment: environment, logger: logger)
    }

    func shell(_ arguments: [String]) throws {
        let result = try Spawn.runBlocking("/usr/bin/env", arguments, environment: ProcessInfo.processInfo.environment)
        guard result.status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }
}

/// The sandbox child process and its line protocol (see `SandboxChild`).
final class SandboxProcess {
    let child: Spawn.Child
    var buffer: [UInt8] = []
    let repository: String
    let environment: [String: String]

    init(manifests: String) throws {
        child = try Spawn.Child(
            CommandLine.arguments[0], ["sandbox", manifests], environment: ProcessInfo.processInfo.environment,
            input: .pipe, output: .pipe)
        let first = try Self.readLine(child, &buffer)
        let json = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any] ?? [:]
        repository = json["repository"] as? String ?? ""
        environment = json["environment"] as? [String: String] ?? [:]
    }

    func ask(_ command: String) throws -> String {
        try child.write(Array((command + "\n").utf8))
        return try Self.readLine(child, &buffer)
    }

    func commit() throws -> String { try ask("commit") }
    func cpu() throws -> Duration { .nanoseconds(Int64(try ask("cpu")) ?? 0) }
    func waitForDeploy(_ sha: String) throws -> Double { Double(try ask("wait-deploy \(sha)")) ?? 0 }

    func quit() {
        _ = try? ask("quit")
        child.closeInput()
        child.waitBlocking()
    }

    static func readLine(_ child: Spawn.Child, _ buffer: inout [UInt8]) throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = child.read(.output)
            guard !chunk.isEmpty else { throw BenchError("the sandbox process ended") }
            buffer.append(contentsOf: chunk)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
