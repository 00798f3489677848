public import ClipnetJSON
import Crypto
import Foundation
import Synchronization

/// A loopback GitHub REST API for one repository: a commit's check runs and combined status (set
/// by the test, as CI would), deployments and their statuses, and the rate-limit answers.
///
/// - `GET /repos/{o}/{r}/commits/{ref}/check-runs`, `GET …/commits/{ref}/status`
/// - `POST /repos/{o}/{r}/deployments`, `POST|GET /repos/{o}/{r}/deployments/{id}/statuses`
///
/// Every answer carries `X-RateLimit-Limit`, `-Remaining` and `-Reset`; once the primary budget is
/// spent (`exhaustRateLimit`) requests get 403 with `X-RateLimit-Remaining: 0`; the shared fault
/// injector's rate limits are GitHub's secondary limits (429 with `Retry-After`). A `success`
/// deployment status with `auto_inactive` (the default) marks the environment's earlier
/// deployments `inactive`, as GitHub does. Check and status changes are sent as `check_run` and
/// `status` webhooks, signed with `X-Hub-Signature-256`, once `sendWebhooks(to:)` says where; every
/// deployment created (through the API, or by a person with `requestDeployment`) is sent as a
/// `deployment` webhook, as GitHub does, so the daemon also hears of its own.
public final class GitHubEmulator: EmulatedPlatform {
    public struct Deployment: Sendable {
        public var id: Int64
        public var ref: String
        public var environment: String
        public var payload: JSONValue
        /// Who created it: the token's user for the API (`apiUser`), a person for `requestDeployment`.
        public var creator: String
        /// What it is for (`deploy` unless the creator said otherwise).
        public var task: String
        /// States posted, oldest first.
        public var statuses: [(state: String, environmentURL: String?)]
    }

    struct Check: Sendable {
        var name: String
        var status: String
        var conclusion: String?
        var url: String
    }

    struct State {
        var checkRuns: [String: [Check]] = [:]
        var statuses: [String: [(context: String, state: String, url: String)]] = [:]
        var deployments: [Deployment] = []
        var nextID: Int64 = 1000
        var remaining = 5000
        var reset = Date().addingTimeInterval(3600)
        var webhook: WebhookTarget?
    }

    public let token: String
    /// The login GitHub shows as the creator of what the token creates.
    public let apiUser = "clipnet-reconciler[bot]"
    /// `owner/name`.
    public let repository: String
    public let log = RequestLog()
    public let faults = FaultInjector()
    private let state = Mutex(State())
    public var errorRenderer: any PlatformErrorRenderer { GitHubErrorRenderer() }

    public init(token: String = "github_pat_test", repository: String = "clipnet/clipnet") {
        self.token = token
        self.repository = repository
    }

    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self, log: log, faults: faults), name: "github-emulator")
    }

    // MARK: - What CI and people do

    /// A check run of `sha` named `name` is now `status` (`queued`, `in_progress`, `completed`)
    /// with `conclusion` once completed; sends a `check_run` webhook.
    public func setCheckRun(sha: String, name: String, status: String, conclusion: String? = nil) {
        let url = "https://github.com/\(repository)/runs/\(abs(name.hashValue % 100_000))"
        let target = state.withLock { state -> WebhookTarget? in
            var runs = state.checkRuns[sha] ?? []
            runs.removeAll { $0.name == name }
            runs.append(Check(name: name, status: status, conclusion: conclusion, url: url))
            state.checkRuns[sha] = runs
            return state.webhook
        }
        send(
            "check_run", to: target,
            [
                "action": .string(status == "completed" ? "completed" : "created"),
                "check_run": [
                    "name": .string(name), "head_sha": .string(sha), "status": .string(status), "conclusion": .optional(conclusion),
                    "html_url": .string(url),
                ],
                "repository": ["full_name": .string(repository)],
            ])
    }

    /// A commit status of `sha` for `context` is now `state`; sends a `status` webhook.
    public func setStatus(sha: String, context: String, state value: String) {
        let url = "https://ci.example.com/\(context)/\(sha.prefix(7))"
        let target = state.withLock { state -> WebhookTarget? in
            var list = state.statuses[sha] ?? []
            list.removeAll { $0.context == context }
            list.append((context, value, url))
            state.statuses[sha] = list
            return state.webhook
        }
        send(
            "status", to: target,
            ["sha": .string(sha), "context": .string(context), "state": .string(value), "repository": ["full_name": .string(repository)]])
    }

    /// A person (or a workflow) creates a deployment of `sha` for `environment` with `task`: the
    /// "deploy this build" button or `gh api`, and `deploy` for what an Actions job naming the
    /// environment creates. Sends the `deployment` webhook; returns its id.
    @discardableResult
    public func requestDeployment(sha: String, environment: String, by login: String, ref: String? = nil, task: String = "deploy:request") -> Int64 {
        let deployment = createDeployment(ref: ref ?? sha, sha: sha, environment: environment, payload: .object([:]), creator: login, task: task)
        return deployment.id
    }

    private func createDeployment(ref: String, sha: String, environment: String, payload: JSONValue, creator: String, task: String) -> Deployment {
        let (deployment, target) = state.withLock { state -> (Deployment, WebhookTarget?) in
            state.nextID += 1
            let deployment = Deployment(
                id: state.nextID, ref: ref, environment: environment, payload: payload, creator: creator, task: task, statuses: [])
            state.deployments.append(deployment)
            return (deployment, state.webhook)
        }
        send(
            "deployment", to: target,
            [
                "action": "created",
                "deployment": [
                    "id": .number(Double(deployment.id)), "sha": .string(sha), "ref": .string(ref), "task": .string(task),
                    "environment": .string(environment), "payload": payload, "creator": ["login": .string(creator)],
                ],
                "repository": ["full_name": .string(repository)], "sender": ["login": .string(creator)],
            ])
        return deployment
    }

    /// The primary rate limit is spent until `resetIn` from now.
    public func exhaustRateLimit(resetIn seconds: Double) {
        state.withLock {
            $0.remaining = 0
            $0.reset = Date().addingTimeInterval(seconds)
        }
    }

    public var deployments: [Deployment] { state.withLock { $0.deployments } }

    /// Whether CI reported anything for `sha` yet.
    public func hasChecks(sha: String) -> Bool { state.withLock { $0.checkRuns[sha] != nil || $0.statuses[sha] != nil } }

    /// Sends `check_run`, `status` and `deployment` webhooks to `target` from now on (nil: stop).
    public func sendWebhooks(to target: WebhookTarget?) { state.withLock { $0.webhook = target } }

    private func send(_ event: String, to target: WebhookTarget?, _ payload: JSONValue) {
        guard let target else { return }
        let body = payload.serialized
        var headers = [("Content-Type", "application/json"), ("X-GitHub-Event", event), ("X-GitHub-Delivery", UUID().uuidString)]
        if let secret = target.secret {
            let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
            headers.append(("X-Hub-Signature-256", "sha256=" + mac.map { String(format: "%02x", $0) }.joined()))
        }
        let delivery = WebhookDelivery(url: target.url, headers: headers, body: body)
        Task { await target.deliver(delivery) }
    }

    // MARK: - The API

    public func operationName(for request: EmulatorRequest) -> String? {
        let segments = request.pathSegments
        if segments.last == "check-runs" { return "listCheckRuns" }
        if segments.last == "status" { return "combinedStatus" }
        if segments.last == "statuses" { return request.method == "POST" ? "createDeploymentStatus" : "listDeploymentStatuses" }
        if segments.last == "deployments" { return "createDeployment" }
        return nil
    }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard request.header("Authorization") == "Bearer \(token)" else {
            return Self.error(401, "Bad credentials")
        }
        let (limited, headers) = state.withLock { state -> (Bool, [String: String]) in
            let limited = state.remaining <= 0 && Date() < state.reset
            if !limited { state.remaining = max(0, state.remaining - 1) }
            return (
                limited,
                [
                    "X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "\(state.remaining)",
                    "X-RateLimit-Reset": "\(Int(state.reset.timeIntervalSince1970))",
                ]
            )
        }
        if limited { return Self.error(403, "API rate limit exceeded for installation.", headers: headers) }
        var answer = route(request)
        answer.headers.merge(headers) { current, _ in current }
        return answer
    }

    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? { nil }

    private func route(_ request: EmulatorRequest) -> EmulatorResponse {
        let segments = request.pathSegments
        let prefix = ["repos"] + repository.split(separator: "/").map(String.init)
        guard segments.count >= 4, Array(segments.prefix(3)) == prefix else { return Self.error(404, "Not Found") }
        let rest = Array(segments.dropFirst(3))
        switch (request.method, rest.count, rest.first, rest.last) {
        case ("GET", 3, "commits", "check-runs"):
            let runs = state.withLock { $0.checkRuns[rest[1]] ?? [] }
            return .json([
                "total_count": .number(Double(runs.count)),
                "check_runs": .array(
                    runs.map {
                        [
                            "name": .string($0.name), "status": .string($0.status), "conclusion": .optional($0.conclusion),
                            "html_url": .string($0.url), "head_sha": .string(rest[1]),
                        ]
                    }),
            ])
        case ("GET", 3, "commits", "status"):
            let list = state.withLock { $0.statuses[rest[1]] ?? [] }
            let combined =
                list.contains { $0.state == "failure" || $0.state == "error" }
                ? "failure" : list.allSatisfy { $0.state == "success" } && !list.isEmpty ? "success" : "pending"
            return .json([
                "state": .string(combined), "sha": .string(rest[1]), "total_count": .number(Double(list.count)),
                "statuses": .array(list.map { ["context": .string($0.context), "state": .string($0.state), "target_url": .string($0.url)] }),
            ])
        case ("POST", 1, "deployments", _):
            guard let body = request.json, let ref = body["ref"]?.stringValue, !ref.isEmpty else {
                return Self.error(422, "Invalid request.\n\n\"ref\" wasn't supplied.")
            }
            let environment = body["environment"]?.stringValue ?? "production"
            let deployment = createDeployment(
                ref: ref, sha: ref, environment: environment, payload: body["payload"] ?? .object([:]), creator: apiUser,
                task: body["task"]?.stringValue ?? "deploy")
            return .json(
                [
                    "id": .number(Double(deployment.id)), "ref": .string(ref), "sha": .string(ref), "environment": .string(environment),
                    "payload": deployment.payload,
                ],
                status: 201)
        case ("POST", 3, "deployments", "statuses"):
            let allowed = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]
            guard let id = Int64(rest[1]), let body = request.json, let value = body["state"]?.stringValue, allowed.contains(value) else {
                return Self.error(422, "Validation Failed")
            }
            let found = state.withLock { state -> Bool in
                guard let index = state.deployments.firstIndex(where: { $0.id == id }) else { return false }
                state.deployments[index].statuses.append((value, body["environment_url"]?.stringValue))
                if value == "success", body["auto_inactive"]?.boolValue ?? true {
                    let environment = state.deployments[index].environment
                    for other in state.deployments.indices where other != index && state.deployments[other].environment == environment {
                        if state.deployments[other].statuses.last?.state == "success" { state.deployments[other].statuses.append(("inactive", nil)) }
                    }
                }
                return true
            }
            guard found else { return Self.error(404, "Not Found") }
            return .json(["state": .string(value), "environment_url": .optional(body["environment_url"]?.stringValue)], status: 201)
        case ("GET", 3, "deployments", "statuses"):
            let statuses = state.withLock { state in state.deployments.first { "\($0.id)" == rest[1] }?.statuses ?? [] }
            return .json(.array(statuses.reversed().map { ["state": .string($0.state), "environment_url": .optional($0.environmentURL)] }))
        default:
            return Self.error(404, "Not Found")
        }
    }

    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> EmulatorResponse {
        .json(["message": .string(message), "documentation_url": "https://docs.github.com/rest"], status: status, headers: headers)
    }
}

/// GitHub's secondary rate limit (429 with `Retry-After`) and server errors.
struct GitHubErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        GitHubEmulator.error(
            429, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", headers: ["Retry-After": retryAfter])
    }

    func serverError(status: Int) -> EmulatorResponse {
        GitHubEmulator.error(status, "Server Error")
    }
}
