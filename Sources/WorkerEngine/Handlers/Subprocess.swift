import AsyncPrimitives
import Foundation

/// Runs a program with a timeout, for `ffmpeg:polish`. A program that cannot be found is a clear,
/// permanent failure; a non-zero exit or a timeout is transient (the queue retries it).
enum Subprocess {
    struct Result: Sendable {
        let status: Int32
        let output: String
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> Result {
        guard let path = resolve(executable) else {
            throw JobFailure.permanent("\(executable) not found (install it or set FFMPEG_PATH)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw JobFailure.permanent("\(executable) could not be started: \(error.localizedDescription)")
        }
        // The read blocks until the program exits (minutes for ffmpeg): it runs on a dedicated
        // queue, never on a thread of the cooperative pool, which has one thread per core.
        async let outputData = SerialBlockingQueue(label: "worker.subprocess.output").run {
            pipe.fileHandleForReading.readDataToEndOfFile()
        }
        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { for await status in finished.stream { return status }; return nil }
            group.addTask { try? await Task.sleep(for: timeout); return nil }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            process.terminate()
            try? await Task.sleep(for: .milliseconds(200))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = try? await outputData
            throw Task.isCancelled ? CancellationError() as any Error : JobFailure.transient("\(executable) timed out after \(timeout)")
        }
        let output = String(decoding: try await outputData, as: UTF8.self)
        return Result(status: status, output: output)
    }

    /// A path, or the first match in PATH.
    static func resolve(_ executable: String) -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
