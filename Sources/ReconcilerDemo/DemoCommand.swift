import ArgumentParser
import ClipnetConfig
import ClipnetLogging
import CommandLineSupport
import Foundation
import Logging
import PlatformEmulators
import Reconciler
import ReconcilerHTTP
import ReconcilerRuntime
import ServiceLifecycle
import StagingSandbox
import UnixSignals

/// `reconciler-demo` (what `make run` runs): the whole product on loopback, as its own binary so
/// the product's `reconciler` links no emulator, sandbox or Redis spawner. A throwaway git
/// repository with CLIPNET's manifests, the Vercel and Railway emulators, the simulated API,
/// worker heartbeats in a throwaway Redis (when redis-server is installed), the file store, and the
/// daemon with its status page; then a short story told on the terminal: a rollout, a failed
/// build rolled back automatically, a pin, an unpin. It keeps running until interrupted.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconciler-demo",
        abstract: "Run the reconciler against a throwaway staging on loopback, with its status page.",
        version: ClipnetVersion.described
    )

    static func main() async { await CommandMain.run(Self.self) }

    @Option(help: "The status server's port.")
    var port: Int = 8080

    @Option(help: "CLIPNET's manifest folder to copy into the demo repository.")
    var manifests: String = "deploy"

    @Flag(help: "Set up and roll out the first commit, then keep running without telling the story.")
    var quiet = false

    @Option(help: "Slow the story down (2: builds take twice as long, pauses between acts are twice as long) or speed it up (0.5); 0.1 to 20.")
    var pace: Double = 1

    @Flag(help: "Wait for Enter between the acts.")
    var step = false

    func validate() throws {
        if let problem = NumericRange.problem(integer: port, flag: "--port", range: 0...65535) { throw ValidationError(problem) }
        guard pace >= 0.1, pace <= 20 else { throw ValidationError("--pace must be from 0.1 to 20 (1 is the default pace); got \(pace)") }
    }

    /// `milliseconds` at the chosen pace.
    private func paced(_ milliseconds: Double) -> Duration { .milliseconds(Int64(milliseconds * pace)) }

    func run() async throws {
        if let problem = ListenCheck.problem(host: "127.0.0.1", port: port) {
            FileHandle.standardError.write(
                Data(
                    "reconciler-demo: \(problem); choose another port: `PORT=\(port == 8080 ? 8081 : 8080) make run` or `reconciler-demo --port N`\n"
                        .utf8))
            throw ExitCode.failure
        }
        // The story is on standard output; only warnings and errors go to the log.
        let environmentLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        ClipnetLogging.bootstrap(level: environmentLevel ?? .warning, format: .text)
        let logger = Logger(label: "clipnet.reconciler")
        let say = Narrator()
        say.title("CLIPNET staging reconciler: demo")
        say.line("Setting up a throwaway staging on loopback (nothing leaves this machine)...")
        let redis = await ThrowawayRedis.start()
        var options = StagingSandbox.Options(
            manifestsDirectory: manifests, redisURL: redis?.url, heartbeatInterval: .milliseconds(500),
            vercelTimings: .init(queued: paced(400), building: paced(2500)),
            railwayTimings: .init(initializing: paced(400), building: paced(3000), deploying: paced(800)),
            healthWindowSeconds: max(1, Int((4 * pace).rounded())), healthIntervalSeconds: 1)
        // Rollout messages go to an emulated Slack and a signed webhook sink; the story prints them.
        options.notifications = true
        // The release gate: every commit's CI checks (emulated GitHub) must pass before it rolls out.
        options.github = true
        let sandbox = try await StagingSandbox.start(options)
        sandbox.acceptCommitsFromGit()
        say.item("git repository  \(sandbox.repository.path) (branch develop, CLIPNET's manifests)")
        say.item("Vercel API      \(sandbox.vercelServer.baseURL) (emulator)")
        say.item("Railway API     \(sandbox.railwayServer.baseURL) (emulator)")
        say.item("Cloudinary API  \(sandbox.cloudinaryServer.baseURL) (emulator, holds the worker's folder \(sandbox.cloudinaryFolder)/)")
        say.item("staging API     \(sandbox.appsServer.baseURL)/api (simulated: reports what Railway serves)")
        say.item(
            redis.map { "worker heartbeats in \($0.url) (throwaway redis-server)" }
                ?? "no redis-server found: worker versions come from Railway's records")
        if let notifications = sandbox.notifications {
            say.item("Slack Web API   \(notifications.slackServer.baseURL)/api (emulator; the daemon keeps one message per rollout)")
            say.item("webhook sink    \(notifications.sinkServer.baseURL) (checks each event's HMAC-SHA256 signature)")
        }
        if let github = sandbox.github {
            say.item("GitHub API      \(github.server.baseURL) (emulator: CI checks build and test; the daemon reports deployments)")
        }
        say.item("state           \(sandbox.stateDirectory)")

        let token = "demo-" + StagingSandbox.randomHex()
        var environment = sandbox.environment
        environment["RECONCILER_TOKEN"] = token
        if environment["GITHUB_WEBHOOK_SECRET"] == nil { environment["GITHUB_WEBHOOK_SECRET"] = "demo-webhook-" + StagingSandbox.randomHex() }
        let configuration = try DaemonConfiguration.parse(
            sandbox.daemonConfiguration(
                listen: "127.0.0.1:\(port)", pollInterval: "1s", driftInterval: "5s", rolloutPollInterval: "250ms",
                verifyTimeout: "30s"),
            file: "demo.yaml")
        let (listening, listened) = AsyncStream<Int>.makeStream()
        let pace = self.pace, step = self.step
        let assembly = try await ReconcilerAssembly.make(configuration: configuration, environment: environment, logger: logger) { port in
            say.blank()
            say.title("Status page: http://127.0.0.1:\(port)/")
            say.line("JSON: http://127.0.0.1:\(port)/status   metrics: http://127.0.0.1:\(port)/metrics")
            // The emulated Vercel and Railway send their deployment webhooks here, as the real
            // ones do once set up: rollouts move on when a build finishes, not at the next poll.
            if (try? sandbox.sendPlatformWebhooks(to: "http://127.0.0.1:\(port)")) != nil {
                say.line(
                    "Vercel and Railway (emulated) send their deployment webhooks to /webhooks/vercel and /webhooks/railway, GitHub its check events to /webhooks/github."
                )
            }
            say.line("In another terminal:  export RECONCILER_TOKEN=\(token)")
            say.line("                      .build/debug/reconciler status --server http://127.0.0.1:\(port)")
            say.line(
                step
                    ? "The story waits for Enter between acts."
                    : "The story pauses \(Int(6 * pace)) s between acts (--pace N slows it, --step waits for Enter).")
            say.blank()
            listened.yield(port)
            listened.finish()
        }
        let daemon = assembly.daemon
        let story = DemoStory(
            daemon: daemon, sandbox: sandbox, say: say, quiet: quiet, pause: paced(6000), step: step, listening: listening)
        let group = ServiceGroup(
            configuration: .init(
                services: assembly.services + [.init(service: story, successTerminationBehavior: .ignore)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await sandbox.stop()
            await redis?.stop()
            throw error
        }
        say.line("Stopping the demo; its files are removed.")
        await sandbox.stop()
        await redis?.stop()
    }
}
