/// Does nothing and succeeds: registered with `clipnet-worker run --noop-type TYPE` for benchmarks
/// and failure drills, where the queue itself is under test, not a job's work.
public struct NoopHandler: JobHandler {
    public let jobType: String
    public init(jobType: String) { self.jobType = jobType }
    public func handle(_ job: Job) async throws {}
}
