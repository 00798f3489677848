import AsyncPrimitives
import Foundation
import TestSupport
import Testing

/// The product binary ships no test machinery: `reconciler` links no emulator, sandbox or Redis
/// spawner (they live in `reconciler-demo`), checked in the symbol tables of the built binaries.
@Suite struct ProductLinkTests {
    static let testMachinery = ["PlatformEmulators", "StagingSandbox", "ThrowawayRedis"]

    static func symbols(of product: String, matching modules: [String]) async throws -> Int {
        let path = ChildProcess.productPath(product)
        let run = try await Spawn.run("/usr/bin/env", ["nm", path], environment: ProcessInfo.processInfo.environment)
        guard run.status == 0 else {
            throw ChildProcess.Failure(
                command: ["nm", path], status: run.status, output: run.stderr + " (nm comes with binutils: apt-get install -y binutils)")
        }
        return run.stdout.split(separator: "\n").count { line in modules.contains { line.contains($0) } }
    }

    @Test func theReconcilerBinaryLinksNoEmulatorSandboxOrRedisSpawner() async throws {
        #expect(try await Self.symbols(of: "reconciler", matching: Self.testMachinery) == 0)
        // The check can fail: the demo binary has them.
        #expect(try await Self.symbols(of: "reconciler-demo", matching: Self.testMachinery) > 100)
    }
}
