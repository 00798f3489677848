import ClipnetContracts
import ClipnetJSON
import Foundation
import KnownGoodStore
import PlatformEmulators
import StagingSandbox
import TestSupport

/// The real `reconciler run` binary as a child process over a sandbox: what the kill -9 and
/// takeover tests start, SIGKILL and start again.
final class DaemonProcess {
    let child: KillableChild

    init(configurationPath: String, sandbox: StagingSandbox, extraEnvironment: [String: String] = [:]) throws {
        var environment = sandbox.environment.merging(extraEnvironment) { $1 }
        environment["LOG_LEVEL"] = "critical"
        environment["RECONCILER_TOKEN"] = "daemon-process-token"
        child = try KillableChild(
            executable: ChildProcess.productPath("reconciler"), arguments: ["run", "--config", configurationPath], environment: environment)
    }

    /// A daemon with exactly `environment` (no sandbox secrets): what an operator's shell gives it.
    init(configurationPath: String, environment: [String: String]) throws {
        var environment = environment
        environment["LOG_LEVEL"] = "critical"
        child = try KillableChild(
            executable: ChildProcess.productPath("reconciler"), arguments: ["run", "--config", configurationPath], environment: environment)
    }

    var pid: Int32 { child.processIdentifier }

    func killHard() async { await child.killNow() }

    /// Returns once the daemon has opened everything and runs its services (the task waits,
    /// not a thread of the cooperative pool: the daemon needs the emulators this process serves).
    func waitUntilRunning() async throws {
        try await child.output { $0.contains("reconciler: staging follows") }
    }

    func terminate() async -> Int32 { await child.stop() }
}

extension StagingSandbox {
    /// Writes a daemon configuration file into the sandbox and returns its path.
    func writeDaemonConfiguration(_ text: String, name: String = "reconciler.yaml") throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Deploy mutations of `revision` per Railway service id, from the request log.
    func railwayDeploys(of serviceId: String, revision: String) -> Int {
        railwayServer.host.log.requests(operation: "serviceInstanceDeployV2").filter {
            $0.json?["variables"]?["serviceId"]?.stringValue == serviceId && $0.json?["variables"]?["commitSha"]?.stringValue == revision
                && $0.status == 200
        }.count
    }

    /// Vercel deployment creates of `revision` that succeeded.
    func vercelCreates(revision: String) -> Int {
        vercelServer.host.log.requests("POST", "/v13/deployments").filter {
            $0.status == 200 && $0.json?["gitSource"]?["sha"]?.stringValue == revision
        }.count
    }
}
