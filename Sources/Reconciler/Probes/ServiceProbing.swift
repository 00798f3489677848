/// Asks the running services what they run and whether they are healthy. `ServiceProbes` asks
/// over HTTP and Redis; the simulation answers from its in-memory platforms. Probes never throw:
/// "I could not ask" is reported as a failure, because it is information, not a reason to stop.
public protocol ServiceProbing: Sendable {
    /// The revision the API's version URL reports.
    func version(at url: String) async -> ProbeResult<String>
    /// The status code of a 2xx answer from a health URL.
    func health(at url: String) async -> ProbeResult<Int>
    /// The live worker heartbeats of `environment`.
    func workers(redisURL: String, environment: String) async -> ProbeResult<WorkerFleet>
}
