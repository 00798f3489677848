import AsyncPrimitives
import Foundation
import RedisClient

/// A `redis-server` on a loopback port of its own with no persistence, for the demo's worker
/// heartbeats; `stop()` ends it and removes its folder.
///
/// It runs in a process group of its own, so a terminal's Ctrl-C reaches only the demo, which
/// stops the heartbeats first and then this server (a server stopped first would make the
/// heartbeats log connection failures on the way out).
public final class ThrowawayRedis: Sendable {
    public let url: String
    private let server: Spawn.Child
    private let directory: String

    /// How long `stop()` lets the server shut down after SIGTERM before SIGKILL.
    static let stopGrace: Duration = .seconds(5)

    /// Starts one if `redis-server` is installed (nil otherwise): tries ports from 6390 on until
    /// one is free and the server answers PING.
    public static func start() async -> ThrowawayRedis? {
        guard let executable = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: FileManager.default.isExecutableFile) else {
            return nil
        }
        let directory = NSTemporaryDirectory() + "clipnet-demo-redis-" + StagingSandbox.randomHex().prefix(8)
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
        for port in 6390..<6430 {
            guard
                let server = try? Spawn.Child(
                    executable, ["--bind", "127.0.0.1", "--port", "\(port)", "--save", "", "--appendonly", "no", "--dir", directory],
                    environment: ProcessInfo.processInfo.environment, output: .null, errors: .null, ownProcessGroup: true)
            else { break }
            let redis = ThrowawayRedis(url: "redis://127.0.0.1:\(port)/0", server: server, directory: directory)
            for _ in 0..<50 where server.isRunning {
                if let connection = try? await RedisConnection.connect(to: redis.url, options: .init(connectAttempts: 1)) {
                    // Someone else's server on this port answers too (another demo's), and ours may
                    // take a while to fail its bind on a loaded machine: only the server reporting
                    // our child's pid is ours.
                    let info = (try? await connection.command(["INFO", "server"]))?.string ?? ""
                    await connection.close()
                    if info.contains("process_id:\(server.pid)\r\n") { return redis }
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            await server.stop(grace: stopGrace)
        }
        try? FileManager.default.removeItem(atPath: directory)
        return nil
    }

    private init(url: String, server: Spawn.Child, directory: String) {
        self.url = url
        self.server = server
        self.directory = directory
    }

    /// SIGTERM (SIGKILL if it is still running after a few seconds), then its folder goes.
    public func stop() async {
        await server.stop(grace: Self.stopGrace)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
