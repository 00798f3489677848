public import ClipnetContracts
import ClipnetJSON
public import Foundation
public import HTTPTransport

/// The GitHub REST calls of the release gate and of deployment reporting: a commit's check runs
/// and combined status, deployments and their statuses. A fine-grained token (or a GitHub App
/// installation token) with read access to checks and commit statuses, and read-write access to
/// deployments, is sent as `Authorization: Bearer`; it never appears in errors or logs.
public struct GitHubClient: Sendable {
    public let apiURL: String
    /// `owner/name`.
    public let repository: String
    let token: String?
    let client: HTTPClient
    let timeout: Duration
    let clock: @Sendable () -> Date

    public init(
        apiURL: String, repository: String, token: String?, client: HTTPClient, timeout: Duration = .seconds(15),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.repository = repository
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.client = client
        self.timeout = timeout
        self.clock = clock
    }

    public var hasToken: Bool { token != nil }

    // MARK: - Checks

    /// Every check run (the latest of each name) and every commit status of `ref`.
    /// `GET /repos/{o}/{r}/commits/{ref}/check-runs?per_page=100` and `GET …/status?per_page=100`.
    public func checks(ref: String) async throws -> [CommitCheck] {
        let runs = try await get("/repos/\(repository)/commits/\(ref)/check-runs?per_page=100&filter=latest")
        let combined = try await get("/repos/\(repository)/commits/\(ref)/status?per_page=100")
        var checks: [CommitCheck] = []
        for run in runs["check_runs"]?.arrayValue ?? [] {
            guard let name = run["name"]?.stringValue else { continue }
            checks.append(
                .checkRun(
                    name: name, status: run["status"]?.stringValue, conclusion: run["conclusion"]?.stringValue,
                    url: run["html_url"]?.stringValue ?? run["details_url"]?.stringValue))
        }
        for status in combined["statuses"]?.arrayValue ?? [] {
            guard let context = status["context"]?.stringValue, let state = status["state"]?.stringValue else { continue }
            checks.append(.status(context: context, state: state, url: status["target_url"]?.stringValue))
        }
        return checks
    }

    // MARK: - Deployments

    /// `POST /repos/{o}/{r}/deployments` for `ref` in `environment`: no merge of the default
    /// branch, no required contexts (the gate already decided), the rollout in the payload.
    /// - Returns: the deployment's id.
    public func createDeployment(ref: String, environment: String, rolloutID: String, description: String) async throws -> Int64 {
        let body: JSONValue = [
            "ref": .string(ref), "environment": .string(environment), "auto_merge": false, "required_contexts": .array([]),
            "payload": ["rolloutID": .string(rolloutID)], "description": .string(String(description.prefix(140))),
            "production_environment": .bool(environment == "production"), "transient_environment": false,
        ]
        let answer = try await send(.post, "/repos/\(repository)/deployments", body: body)
        guard let id = answer["id"]?.numberValue else { throw GitHubError("GitHub created a deployment but answered no id") }
        return Int64(id)
    }

    /// `POST /repos/{o}/{r}/deployments/{id}/statuses`. A `success` status inactivates the
    /// environment's earlier deployments (`auto_inactive`, GitHub's default).
    public func createDeploymentStatus(
        deployment: Int64, state: String, environmentURL: String?, logURL: String?, description: String
    ) async throws {
        var body: [String: JSONValue] = ["state": .string(state), "description": .string(String(description.prefix(140))), "auto_inactive": true]
        if let environmentURL { body["environment_url"] = .string(environmentURL) }
        if let logURL { body["log_url"] = .string(logURL) }
        _ = try await send(.post, "/repos/\(repository)/deployments/\(deployment)/statuses", body: .object(body))
    }

    // MARK: - Transport

    private func get(_ path: String) async throws -> JSONValue {
        try await send(.get, path, body: nil)
    }

    private func send(_ method: HTTPMethod, _ path: String, body: JSONValue?) async throws -> JSONValue {
        guard let token else { throw GitHubError("no GitHub token is set", status: 401) }
        var headers: HTTPHeaders = [
            "Accept": "application/vnd.github+json", "Authorization": "Bearer \(token)", "X-GitHub-Api-Version": "2022-11-28",
        ]
        if body != nil { headers.set("Content-Type", "application/json") }
        let request = HTTPRequest(
            method: method, url: apiURL + path, headers: headers, body: body?.serialized, timeout: timeout, connectTimeout: min(timeout, .seconds(10))
        )
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            throw GitHubError("GitHub cannot be reached: \(error)")
        }
        if (200..<300).contains(response.status) { return JSONValue.parse(response.body) ?? .null }
        let message = JSONValue.parse(response.body)?["message"]?.stringValue ?? "HTTP \(response.status)"
        throw GitHubError(
            "GitHub answered \(response.status) to \(method) \(path.split(separator: "?").first ?? ""): \(message)", status: response.status,
            retryAfter: rateLimitWait(response))
    }

    /// A rate limit's wait: `Retry-After` (secondary limits, 403 or 429), else, with
    /// `X-RateLimit-Remaining: 0`, until `X-RateLimit-Reset` (epoch seconds).
    private func rateLimitWait(_ response: HTTPResponse) -> Duration? {
        guard response.status == 403 || response.status == 429 else { return nil }
        if let wait = response.retryAfter(now: clock()) { return wait }
        guard response.header("X-RateLimit-Remaining") == "0", let reset = response.header("X-RateLimit-Reset").flatMap(Double.init) else {
            return response.status == 429 ? .seconds(60) : nil
        }
        return .seconds(max(1, Int64(reset - clock().timeIntervalSince1970)))
    }
}
