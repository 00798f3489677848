public import ClipnetContracts
import Foundation
public import HTTPTransport

/// Talks to a running daemon's operator API (docs/openapi.yaml) for the `reconciler` client
/// commands: read status, history and plan; pin, unpin, roll back, reconcile and retry with the
/// operator token.
///
/// Why a library type: the commands are tested end to end against the real server in process,
/// and the executable stays a thin layer of argument parsing and printing.
public struct OperatorClient: Sendable {
    /// `http://127.0.0.1:8080`, without a trailing slash.
    public let server: String
    private let token: String?
    private let actor: String?
    private let http: HTTPClient
    private let timeout: Duration

    /// - Parameters:
    ///   - server: the daemon's base URL (`--server`).
    ///   - token: an operator token (`RECONCILER_TOKEN`, named or shared); sent only to the routes
    ///     that need one (the plan and the actions), never to public reads.
    ///   - actor: who is acting, recorded in history (`X-Reconciler-Actor`); never used for access.
    public init(server: String, token: String?, actor: String?, http: HTTPClient, timeout: Duration = .seconds(15)) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.actor = actor
        self.http = http
        self.timeout = timeout
    }

    /// The status document and its raw JSON (what `status --json` prints unchanged).
    public func status() async throws -> (document: StatusDocument, json: [UInt8]) {
        let response = try await send(.get, "/status")
        return (try decode(StatusDocument.self, response), response.body)
    }

    public func history(limit: Int) async throws -> [HistoryEntry] {
        try decode(HistoryAnswer.self, try await send(.get, "/history?limit=\(limit)")).entries
    }

    public func plan() async throws -> PlanDocument {
        try decode(PlanDocument.self, try await send(.get, "/plan", authenticated: true))
    }

    public func pin(_ revision: String, reason: String, force: Bool) async throws -> PinRecord {
        let body = try JSONEncoder().encode(PinRequest(revision: revision, reason: reason, force: force))
        return try decode(PinAnswer.self, try await send(.post, "/pin", body: Array(body), authenticated: true)).pin
    }

    /// - Returns: the branch the environment follows again.
    public func unpin(reason: String?) async throws -> String {
        let body = try JSONEncoder().encode(UnpinRequest(reason: reason))
        return try decode(UnpinAnswer.self, try await send(.post, "/unpin", body: Array(body), authenticated: true)).following
    }

    /// Clears the build a GitHub deployment request marked.
    public func unmark(reason: String?) async throws -> UnmarkAnswer {
        let body = try JSONEncoder().encode(UnmarkRequest(reason: reason))
        return try decode(UnmarkAnswer.self, try await send(.post, "/unmark", body: Array(body), authenticated: true))
    }

    public func rollback(to revision: String?, reason: String) async throws -> KnownGoodRecord {
        let body = try JSONEncoder().encode(RollbackRequest(to: revision, reason: reason))
        return try decode(RollbackAnswer.self, try await send(.post, "/rollback", body: Array(body), authenticated: true)).rolledBackTo
    }

    /// Promotes a known-good revision to the next environment (needs an admin token).
    public func promote(_ revision: String, reason: String) async throws -> Promotion {
        let body = try JSONEncoder().encode(PromoteRequest(revision: revision, reason: reason))
        return try decode(Promotion.self, try await send(.post, "/promote", body: Array(body), authenticated: true))
    }

    /// Lists, and with `apply` removes, the staging variables an earlier version wrote to
    /// Vercel's preview target.
    public func cleanupPreview(apply: Bool) async throws -> PreviewCleanup {
        let body = try JSONEncoder().encode(CleanupPreviewRequest(apply: apply))
        return try decode(PreviewCleanup.self, try await send(.post, "/cleanup/preview-variables", body: Array(body), authenticated: true))
    }

    /// Asks for a reconcile pass now; with `retry`, a revision held back after a failure rolls out again.
    public func reconcile(retry: Bool) async throws {
        _ = try await send(.post, retry ? "/reconcile?retry=1" : "/reconcile", body: Array("{}".utf8), authenticated: true)
    }

    // MARK: - Transport

    private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, authenticated: Bool = false) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if body != nil { headers.set("Content-Type", "application/json") }
        if authenticated, let token { headers.set("Authorization", "Bearer \(token)") }
        if let actor { headers.set("X-Reconciler-Actor", actor) }
        let request = HTTPRequest(method: method, url: server + path, headers: headers, body: body, timeout: timeout, connectTimeout: .seconds(5))
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPTransportError {
            throw OperatorClientError(.unreachable, "cannot reach the reconciler at \(server): \(error.message)")
        }
        // Anything without the reconciler's marker is some other server, whatever it answered
        // (a proxy's or another service's 401 is not the reconciler refusing).
        guard response.headers.contains("X-Reconciler-API") else {
            throw OperatorClientError(
                .unexpectedAnswer(status: response.status),
                "\(server) answered HTTP \(response.status) but is not a reconciler (no X-Reconciler-API header); check --server or RECONCILER_SERVER"
            )
        }
        guard response.isSuccess else { throw refusal(response, authenticated: authenticated) }
        return response
    }

    private func refusal(_ response: HTTPResponse, authenticated: Bool) -> OperatorClientError {
        guard let body = try? JSONDecoder().decode(ErrorAnswer.self, from: Data(response.body)) else {
            return OperatorClientError(
                .unexpectedAnswer(status: response.status), "\(server) answered HTTP \(response.status), not the reconciler's API")
        }
        var message = body.error.message
        if response.status == 401, authenticated, token == nil {
            message += " (set RECONCILER_TOKEN to an operator token)"
        }
        return OperatorClientError(.refused(status: response.status, code: body.error.code), message)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws -> T {
        do {
            return try StatusDocument.decoder().decode(type, from: Data(response.body))
        } catch {
            throw OperatorClientError(.unexpectedAnswer(status: response.status), "\(server) answered something that is not the reconciler's API")
        }
    }
}
