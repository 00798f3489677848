import AsyncPrimitives
import Foundation

/// Runs a program (ffmpeg) with a timeout: `Spawn.Child` with the job's failure rules.
///
/// The child gets an empty signal mask and default dispositions (the worker's threads block
/// SIGTERM and SIGINT for the service group; see `Spawn`), and runs in its own process group so a
/// timeout kills it together with anything it started.
///
/// A program that cannot be found is a clear, permanent failure; a timeout is transient.
public enum Subprocess {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number when the program was killed.
        public let status: Int32
        /// Standard output and standard error together, the last 64 KiB.
        public let output: String
    }

    /// Output kept per run: ffmpeg's progress lines are long and only the end explains a failure.
    static let outputLimit = 64 << 10

    /// Runs `executable` (a path, or a name looked up in PATH) with `arguments`.
    /// - Throws: `JobFailure.permanent` when the program is missing or cannot start,
    ///   `JobFailure.transient` on timeout, `CancellationError` when the task is cancelled (the
    ///   child is killed in both cases).
    public static func run(
        _ executable: String, _ arguments: [String], timeout: Duration,
        environment: [String: String] = Subprocess.minimalEnvironment
    ) async throws -> Result {
        let child = try spawn(executable, arguments, environment: environment)
        let finished = AsyncStream<Result>.makeStream()
        // The pipe read and the wait block for as long as the program runs: a thread of their
        // own, never one of the cooperative pool's.
        Thread.detachNewThread {
            finished.continuation.yield(collect(child))
            finished.continuation.finish()
        }
        enum Outcome: Sendable { case finished(Result), timedOut, cancelled }
        let outcome: Outcome? = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                for await result in finished.stream { return .finished(result) }
                return .cancelled
            }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return .cancelled }
                return .timedOut
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
        switch outcome {
        case .finished(let result)?:
            return result
        case .timedOut?, .cancelled?, nil:
            // The collecting thread reaps it once the pipe closes.
            child.kill()
            if case .timedOut? = outcome { throw JobFailure.transient("\(executable) timed out after \(timeout)") }
            throw CancellationError()
        }
    }

    /// Starts `executable` in a process group of its own, standard output and error into one pipe.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Spawn.Child {
        guard Spawn.resolve(executable, path: environment["PATH"]) != nil else {
            throw JobFailure.permanent("\(executable) not found (install it or set FFMPEG_PATH)")
        }
        do {
            return try Spawn.Child(
                executable, arguments, environment: environment, output: .pipe, errors: .standardOutput,
                ownProcessGroup: true)
        } catch let failure as Spawn.Failure {
            throw JobFailure.permanent(failure.description)
        }
    }

    /// Reads the child's output to its end (keeping the last `outputLimit` bytes), then reaps it. Blocks.
    static func collect(_ child: Spawn.Child) -> Result {
        var kept: [UInt8] = []
        while true {
            let chunk = child.read(.output, upTo: 16 << 10)
            if chunk.isEmpty { break }
            kept.append(contentsOf: chunk)
            if kept.count > 2 * outputLimit { kept.removeFirst(kept.count - outputLimit) }
        }
        let status = child.waitBlocking().status
        return Result(status: status, output: String(decoding: kept.suffix(outputLimit), as: UTF8.self))
    }

    /// What a child gets by default: `PATH`, `HOME`, `TMPDIR` and `LANG` of the worker, nothing
    /// else. The worker's environment holds its credentials (Cloudinary, RunPod, the database),
    /// which ffmpeg has no use for.
    public static var minimalEnvironment: [String: String] {
        let all = ProcessInfo.processInfo.environment
        var kept = ["PATH": all["PATH"] ?? "/usr/bin:/bin"]
        for name in ["HOME", "TMPDIR", "LANG"] { kept[name] = all[name] }
        return kept
    }
}
