public import ClipnetJSON
import Synchronization

/// The running CLIPNET API, as far as the reconciler can see it: a version endpoint and a health
/// URL that answer for whatever deployment the Railway emulator serves now. Deploying a revision
/// on the emulator therefore changes what `/api/version` reports, as on the real platform, and
/// rolling back changes it back.
///
/// Routes: `GET /api/version` → `{"version": "<commit>"}`; `GET /api/healthz` → 200, or 503
/// while no deployment serves or the serving revision is marked unhealthy. Admin:
/// `POST /_emulator/faults/unhealthy {"revision"}` (that revision answers 503) and
/// `POST /_emulator/faults/healthy {"revision"}`; `POST /_emulator/faults/report-version
/// {"revision"?}` (report that revision whatever runs; no revision: the truth again).
public final class StagingAppSimulator: EmulatedPlatform {
    public let railway: RailwayEmulator
    public let serviceId: String
    public let environmentId: String
    private let unhealthy = Mutex<Set<String>>([])
    private let reportedOverride = Mutex<String?>(nil)

    public var errorRenderer: any PlatformErrorRenderer { AppErrorRenderer() }

    public init(railway: RailwayEmulator, apiServiceId: String, environmentId: String) {
        self.railway = railway
        self.serviceId = apiServiceId
        self.environmentId = environmentId
    }

    /// Starts serving on 127.0.0.1 (port 0); the API's base URL is `<baseURL>/api`.
    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self), name: "staging-app-simulator")
    }

    /// Makes the API report unhealthy while it runs `revision` (or healthy again).
    public func setUnhealthy(_ revision: String, _ flag: Bool = true) {
        unhealthy.withLock { set in
            if flag { set.insert(revision.lowercased()) } else { set.remove(revision.lowercased()) }
        }
    }

    /// Makes `/api/version` report `revision` whatever runs (an API slow to restart, or one whose
    /// build stamps the wrong version), until called with nil.
    public func reportVersion(_ revision: String?) {
        reportedOverride.withLock { $0 = revision }
    }

    /// The revision the API runs now: the serving deployment's commit, or its image tag.
    public var runningRevision: String? {
        guard let serving = railway.servingDeployment(serviceId: serviceId, environmentId: environmentId) else { return nil }
        let revision = serving.revision
        if let colon = revision.lastIndex(of: ":"), !revision[colon...].contains("/") {
            return String(revision[revision.index(after: colon)...])
        }
        return revision
    }

    public func operationName(for request: EmulatorRequest) -> String? { nil }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard request.method == "GET" else { return .json(["error": "method not allowed"], status: 405) }
        switch request.path {
        case "/api/version":
            if let reported = reportedOverride.withLock({ $0 }) { return .json(["version": .string(reported)]) }
            guard let revision = runningRevision else { return .json(["error": "no deployment serves the API"], status: 503) }
            return .json(["version": .string(revision)])
        case "/api/healthz":
            guard let revision = runningRevision else { return .json(["status": "down"], status: 503) }
            let sick = unhealthy.withLock { $0.contains(revision.lowercased()) }
            return sick
                ? .json(["status": "unhealthy", "version": .string(revision)], status: 503) : .json(["status": "ok", "version": .string(revision)])
        default:
            return .json(["error": "not found"], status: 404)
        }
    }

    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? {
        switch action {
        case "faults/report-version":
            reportVersion(body["revision"]?.stringValue)
            return AdminReply.ok
        case "faults/unhealthy", "faults/healthy":
            guard let revision = body["revision"]?.stringValue else { return AdminReply.badRequest("missing string field revision") }
            setUnhealthy(revision, action == "faults/unhealthy")
            return AdminReply.ok
        default:
            return nil
        }
    }
}

struct AppErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        .json(["error": "rate limited"], status: 429, headers: ["Retry-After": retryAfter])
    }

    func serverError(status: Int) -> EmulatorResponse {
        .json(["error": "server error"], status: status)
    }
}
