public import ClipnetContracts
import ClipnetJSON
import Foundation
public import HTTPTransport
public import Logging

/// The frontend on Vercel, through its REST API (docs/platforms.md).
///
/// Deploy = `POST /v13/deployments` with `gitSource` at the full sha and `meta` stamped with the
/// rollout id, after looking for that rollout's deployment with `GET /v7/deployments`; going live
/// and rolling back = assigning the alias; variables = project env (`/v10/projects/{id}/env`).
public struct VercelDeployer: PlatformDeployer {
    public let configuration: VercelConfiguration
    let transport: PlatformTransport
    let memory: ClientMemory
    var customEnvironments: CustomEnvironmentCache { memory.customEnvironments }
    public var platform: Platform { .vercel }
    /// The requests this deployer has sent (shared when one was passed to `init`).
    public var requestCounter: PlatformRequestCounter { transport.counter }
    public var services: Set<ServiceName> { [.frontend] }
    public var buildsStayOffDomains: Bool { configuration.target.buildStaysOffDomains }

    /// - Parameters:
    ///   - logger: receives one line per failed attempt and debug lines per call; never a token,
    ///     header or body.
    ///   - requestCounter: counts every request sent (default: `PlatformRequestCounter.shared(for: .vercel)`).
    public init(
        configuration: VercelConfiguration, client: HTTPClient, logger: Logger = Logger(label: "deployers.vercel"),
        requestCounter: PlatformRequestCounter? = nil
    ) {
        self.configuration = configuration
        let memory = ClientMemory.shared(
            "vercel|\(configuration.baseURL)|\(configuration.teamId ?? "")|\(configuration.projectId)", scope: .perOperation)
        self.memory = memory
        self.transport = PlatformTransport(
            client: client, platform: .vercel, configuration: configuration.transport, logger: logger,
            scrubber: SecretScrubber([configuration.token]),
            gate: memory.gate, counter: requestCounter ?? .shared(for: .vercel)
        )
    }

    // MARK: Requests

    /// `<baseURL><path>?<query>&teamId=…`, every value percent-encoded.
    func url(_ path: String, _ query: [(String, String)] = []) -> String {
        var items = query
        if let teamId = configuration.teamId { items.append(("teamId", teamId)) }
        let base = configuration.baseURL.hasSuffix("/") ? String(configuration.baseURL.dropLast()) : configuration.baseURL
        guard !items.isEmpty else { return base + path }
        return base + path + "?" + items.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    static func encode(_ component: String) -> String {
        component.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? component
    }

    /// Sends one call and returns the parsed JSON body.
    func call(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, operation: String,
        retry: PlatformTransport.RetryMode = .idempotent, secrets: [String] = []
    ) async throws -> JSONValue {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(configuration.token)", "Accept": "application/json"]
        if body != nil { headers.add("Content-Type", "application/json") }
        let request = HTTPRequest(method: method, url: url(path, query), headers: headers, body: body?.serialized)
        let response = try await transport.send(request, operation: operation, retry: retry, extraSecrets: secrets) { response in
            // {"error":{"code","message"}} (docs/platforms.md)
            guard let error = JSONValue.parse(response.body)?["error"] else { return nil }
            return "\(error["code"]?.stringValue ?? "error"): \(error["message"]?.stringValue ?? "")"
        }
        guard let json = JSONValue.parse(response.body) else {
            throw DeployerError(
                .invalidResponse, "the answer is not JSON", isRetryable: false, platform: .vercel, operation: operation, httpStatus: response.status)
        }
        return json
    }

    func requireFrontend(_ service: ServiceName, _ operation: String) throws {
        guard service == .frontend else {
            throw DeployerError(
                .unsupportedService, "Vercel serves only the frontend, not \(service)", isRetryable: false, platform: .vercel, operation: operation)
        }
    }

    func invalidResponse(_ operation: String, _ what: String) -> DeployerError {
        DeployerError(.invalidResponse, what, isRetryable: false, platform: .vercel, operation: operation)
    }
}
