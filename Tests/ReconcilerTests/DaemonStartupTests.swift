import Foundation
import StagingSandbox
import TestSupport
import Testing

/// What `reconciler run` does before anything else, through the real binary: the state folder is
/// private, and the start-up line names the state actually used.
@Suite(.serialized) struct DaemonStartupTests {
    @Test func theStateFolderIsMadePrivateAndTheStateShownComesFromItsVariable() async throws {
        let sandbox = try await StagingSandbox.start(.init(manifestsDirectory: Scenario.manifests, redisURL: nil))
        defer { Task { await sandbox.stop() } }
        let state = sandbox.root + "/private-state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let configuration =
            sandbox.daemonConfiguration(listen: "127.0.0.1:0", pollInterval: "1s", driftInterval: "60s")
            + "stateURLEnv: CLIPNET_TEST_STATE_URL\n"
        let path = try sandbox.writeDaemonConfiguration(configuration)
        var environment = sandbox.environment
        environment["LOG_LEVEL"] = "debug"
        environment["CLIPNET_TEST_STATE_URL"] = "file:\(state)"
        let daemon = try SpawnedDaemon(configurationPath: path, environment: environment, logPath: sandbox.root + "/startup.log")
        defer { daemon.stop() }
        let started = await eventually(within: .seconds(60)) { daemon.output.contains("follows") || !daemon.isRunning }
        #expect(started && daemon.isRunning, "\(daemon.output)")

        var status = stat()
        #expect(stat(state, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700, "mode \(String(status.st_mode & 0o777, radix: 8))")
        let line = daemon.output.split(separator: "\n").first { $0.contains("follows") }.map(String.init) ?? ""
        #expect(line.hasSuffix("state file:\(state) (from CLIPNET_TEST_STATE_URL)"), "\(line)")
        #expect(daemon.output.contains("made it private"), "no warning about the widened folder")
        // Every file the daemon wrote there is private too.
        for name in try FileManager.default.subpathsOfDirectory(atPath: state) {
            var entry = stat()
            guard lstat(state + "/" + name, &entry) == 0, entry.st_mode & S_IFMT != S_IFLNK else { continue }
            #expect(entry.st_mode & 0o077 == 0, "\(name) is \(String(entry.st_mode & 0o777, radix: 8))")
        }
    }
}
