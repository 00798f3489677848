import AsyncPrimitives
import Foundation
import PostgresClient
import Synchronization
import TestSupport

@testable import WorkerEngine

// Test helpers whose waits never block a thread of Swift's cooperative pool. The full suite runs
// on two cores, so the pool has two threads: a test that parks one in `waitpid`, a semaphore or a
// child's pipe stalls every other test in the process meanwhile, and tests that watch real
// processes and timeouts then fail for reasons of their own.

/// A child process of a test (the worker binary, redis-server), started the way the worker starts
/// ffmpeg (`Subprocess.spawn`). Its output is collected and its exit reaped on a
/// thread of its own; `exited()`, `killHard()` and `terminate()` suspend until then instead of
/// blocking. A child still running when its `TestChild` is released is SIGKILLed.
final class TestChild: Sendable {
    /// What the collecting thread shares with the awaiting tasks.
    private final class Exit: Sendable {
        private struct State {
            var result: Subprocess.Result?
            var waiters: [CheckedContinuation<Subprocess.Result, Never>] = []
        }

        private let state = Mutex(State())

        func finish(_ result: Subprocess.Result) {
            let waiters = state.withLock { state in
                state.result = result
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: result) }
        }

        var result: Subprocess.Result? { state.withLock { $0.result } }

        func wait() async -> Subprocess.Result {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Subprocess.Result? in
                    if let result = state.result { return result }
                    state.waiters.append(continuation)
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        }
    }

    private let child: Spawn.Child
    private let exit = Exit()

    /// Starts `executable` with the test process's environment overlaid with `environment`.
    convenience init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        self.init(adopting: try Subprocess.spawn(executable, arguments, environment: merged))
    }

    /// Takes over a child spawned by the test itself (to spawn it under conditions of its own).
    init(adopting child: Spawn.Child) {
        self.child = child
        // The thread holds the child and the exit box, not `self`, so releasing `self` kills the child.
        let exit = self.exit
        Thread.detachNewThread { exit.finish(Subprocess.collect(child)) }
    }

    /// The `clipnet-worker` built with the tests.
    static func worker(_ arguments: [String], environment: [String: String]) throws -> TestChild {
        try TestChild(ChildProcess.productPath("clipnet-worker"), arguments, environment: environment)
    }

    /// Runs a program to its end: its status (128 + the signal when killed) and output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Subprocess.Result {
        await (try TestChild(executable, arguments, environment: environment)).exited()
    }

    deinit {
        if exit.result == nil { child.kill() }
    }

    var isRunning: Bool { exit.result == nil }

    /// Standard output and error together (the last 64 KiB), once the child has exited.
    var output: String { exit.result?.output ?? "(still running)" }

    /// Suspends until the child has exited and been reaped.
    @discardableResult
    func exited() async -> Subprocess.Result { await exit.wait() }

    /// SIGKILL, then the exit.
    func killHard() async {
        child.kill()
        await exited()
    }

    /// SIGTERM, then its exit status.
    func terminate() async -> Int32 {
        child.terminate()
        return await exited().status
    }
}

/// Throwaway databases on the test PostgreSQL server, made through the project's libpq wrapper
/// (which runs libpq off the pool) rather than a `psql` child waited on synchronously.
enum WorkerTestDatabase {
    static func create(prefix: String) async throws -> (name: String, url: String) {
        let name = prefix + "_" + UUID().uuidString.prefix(8).lowercased()
        let server = try TestServices.postgresURL()
        let admin = try await PostgresConnection.connect(url: server)
        do {
            _ = try await admin.execute("CREATE DATABASE \(name)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        var components = URLComponents(string: server)!
        components.path = "/" + name
        return (name, components.string!)
    }

    static func drop(_ name: String) async {
        guard let server = try? TestServices.postgresURL(), let admin = try? await PostgresConnection.connect(url: server) else { return }
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        await admin.close()
    }
}
