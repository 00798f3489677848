public import ClipnetConfig

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
    /// Whether the worker's Cloudinary folder exists (Admin API `GET /folders/{path}`); a failure
    /// says why it could not be told (credentials refused, unreachable), never the secret.
    func cloudinaryFolder(_ folder: String, account: CloudinaryAccount) async -> ProbeResult<CloudinaryFolderState>
}

/// What the Admin API said of a folder.
public enum CloudinaryFolderState: String, Sendable, Equatable {
    case exists
    /// 404: the worker refuses to start until it is created.
    case missing
}
