import Foundation
import RedisClient

/// A `redis-server` on a loopback port of its own with no persistence, for the demo's worker
/// heartbeats; `stop()` ends it and removes its folder.
public final class ThrowawayRedis: Sendable {
    public let url: String
    private let process: Process
    private let directory: String

    /// Starts one if `redis-server` is installed (nil otherwise): tries ports from 6390 on until
    /// one is free and the server answers PING.
    public static func start() async -> ThrowawayRedis? {
        guard let server = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: FileManager.default.isExecutableFile) else {
            return nil
        }
        let directory = NSTemporaryDirectory() + "clipnet-demo-redis-" + StagingSandbox.randomHex().prefix(8)
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil else { return nil }
        for port in 6390..<6430 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: server)
            process.arguments = ["--bind", "127.0.0.1", "--port", "\(port)", "--save", "", "--appendonly", "no", "--dir", directory]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { break }
            let redis = ThrowawayRedis(url: "redis://127.0.0.1:\(port)/0", process: process, directory: directory)
            for _ in 0..<50 where process.isRunning {
                if let connection = try? await RedisConnection.connect(to: redis.url, options: .init(connectAttempts: 1)) {
                    await connection.close()
                    // Someone else's server on this port answers too: ours has exited then.
                    try? await Task.sleep(for: .milliseconds(50))
                    if process.isRunning { return redis }
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
        return nil
    }

    private init(url: String, process: Process, directory: String) {
        self.url = url
        self.process = process
        self.directory = directory
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
