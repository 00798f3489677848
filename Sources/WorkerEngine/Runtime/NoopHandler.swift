import Foundation

/// Does nothing and succeeds: registered with `clipnet-worker run --noop-type TYPE` for benchmarks
/// and failure drills, where the queue itself is under test, not a job's work.
public struct NoopHandler: JobHandler {
    public let jobType: String
    public init(jobType: String) { self.jobType = jobType }
    public func handle(_ job: Job) async throws {}
}

/// Kills its own process with SIGKILL, as a payload that crashes the worker would: registered with
/// `clipnet-worker run --crash-type TYPE` for failure drills only.
public struct CrashHandler: JobHandler {
    public let jobType: String
    public init(jobType: String) { self.jobType = jobType }
    public func handle(_ job: Job) async throws {
        kill(getpid(), SIGKILL)
        try await Task.sleep(for: .seconds(60))
    }
}
