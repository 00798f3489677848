public import ClipnetContracts
import ClipnetFormats
import ClipnetJSON
import Foundation
public import HTTPTransport
public import Logging

/// The api and worker services on Railway, through its public GraphQL API (docs/platforms.md
/// section 2).
///
/// Deploy = `serviceInstanceDeployV2(commitSha:)` (git) or `serviceInstanceUpdate(source.image)`
/// then `serviceInstanceDeployV2` (image), after looking for a deployment of the same revision that
/// has not failed; rollback = `deploymentRollback(id)` then the desired variables again with
/// `skipDeploys: true`.
public struct RailwayDeployer: PlatformDeployer {
    public let configuration: RailwayConfiguration
    let transport: PlatformTransport
    let memory: ClientMemory
    /// The deployments this process created, per rollout: what `deploy` may adopt without checks.
    var created: CreatedDeployments { memory.created }
    public var platform: Platform { .railway }
    /// The requests this deployer has sent (shared when one was passed to `init`).
    public var requestCounter: PlatformRequestCounter { transport.counter }
    public var services: Set<ServiceName> { Set(configuration.services.keys) }

    /// - Parameters:
    ///   - logger: receives one line per failed attempt and debug lines per call; never a token,
    ///     header or body.
    ///   - requestCounter: counts every request sent (default: `PlatformRequestCounter.shared(for: .railway)`).
    public init(
        configuration: RailwayConfiguration, client: HTTPClient, logger: Logger = Logger(label: "deployers.railway"),
        requestCounter: PlatformRequestCounter? = nil
    ) {
        self.configuration = configuration
        // Railway's budget is per token; one gate per API and project is the conservative reading.
        let memory = ClientMemory.shared("railway|\(configuration.endpoint)|\(configuration.projectId)", scope: .wholePlatform)
        self.memory = memory
        self.transport = PlatformTransport(
            client: client, platform: .railway, configuration: configuration.transport, logger: logger,
            scrubber: SecretScrubber([configuration.token.value]),
            gate: memory.gate, counter: requestCounter ?? .shared(for: .railway)
        )
    }

    /// Runs one operation and returns its `data` field, after checking `errors` (Railway answers
    /// errors with HTTP 200, docs/platforms.md).
    func execute(
        _ operation: String, _ document: String, variables: [String: JSONValue], retry: PlatformTransport.RetryMode = .idempotent,
        secrets: [String] = []
    ) async throws -> JSONValue {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
        switch configuration.token {
        case .account(let token): headers.add("Authorization", "Bearer \(token)")
        case .project(let token): headers.add("Project-Access-Token", token)
        }
        let body: JSONValue = ["query": .string(document), "variables": .object(variables), "operationName": .string(operation)]
        let request = HTTPRequest(method: .post, url: configuration.endpoint, headers: headers, body: body.serialized)
        let response = try await transport.send(
            request, operation: operation, retry: retry, extraSecrets: secrets,
            describeError: { response in
                JSONValue.parse(response.body)?["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue }.joined(separator: "; ")
            },
            inspectSuccess: { response, scrubber in
                // `errors` is checked before `data` (docs/platforms.md); retryable ones (rate
                // limit, internal error) are retried by the transport for idempotent operations.
                guard let errors = JSONValue.parse(response.body)?["errors"]?.arrayValue, !errors.isEmpty else { return nil }
                return Self.error(for: errors.map { scrubber.scrub($0["message"]?.stringValue ?? "unknown error") }, operation: operation)
            }
        )
        guard let json = JSONValue.parse(response.body) else {
            throw DeployerError(
                .invalidResponse, "the answer is not JSON", isRetryable: false, platform: .railway, operation: operation, httpStatus: response.status)
        }
        guard let data = json["data"], data != .null else {
            throw DeployerError(.invalidResponse, "no `data` and no `errors`", isRetryable: false, platform: .railway, operation: operation)
        }
        return data
    }

    /// Classifies GraphQL error messages (RCLI matches on message text, docs/platforms.md).
    static func error(for messages: [String], operation: String) -> DeployerError {
        let text = messages.joined(separator: "; ")
        let lowered = text.lowercased()
        let code: DeployerError.Code
        var retryable = false
        if lowered.contains("not authorized") || lowered.contains("project token not found") || lowered.contains("two factor") {
            code = .unauthorized
        } else if lowered.contains("rate limit") {
            code = .rateLimited
            retryable = true
        } else if lowered.contains("not found") {
            code = .notFound
        } else if lowered.contains("cannot be rolled back") {
            code = .rollbackUnavailable
        } else if lowered.contains("internal server error") {
            code = .serverError
            retryable = true
        } else {
            code = .platformError
        }
        return DeployerError(code, text, isRetryable: retryable, platform: .railway, operation: operation, httpStatus: 200)
    }

    func service(_ name: ServiceName, _ operation: String) throws -> RailwayConfiguration.Service {
        guard let service = configuration.services[name] else {
            throw DeployerError(
                .unsupportedService, "no Railway service is configured for \(name)", isRetryable: false, platform: .railway, operation: operation)
        }
        return service
    }

    func invalidResponse(_ operation: String, _ what: String) -> DeployerError {
        DeployerError(.invalidResponse, what, isRetryable: false, platform: .railway, operation: operation)
    }

    /// The service's page in Railway's dashboard, in this environment. The deployment cannot be
    /// addressed by a documented URL (UNCONFIRMED), so the link stops at the service, whose page
    /// lists its deployments newest first.
    static func dashboardURL(_ configuration: RailwayConfiguration, serviceId: String) -> String {
        "https://railway.com/project/\(configuration.projectId)/service/\(serviceId)?environmentId=\(configuration.environmentId)"
    }

    func observed(_ node: JSONValue, service: ServiceName) throws -> ObservedDeployment {
        guard let id = node["id"]?.stringValue else { throw invalidResponse("deployment", "no `id` in the deployment") }
        let raw = node["status"]?.stringValue ?? "UNKNOWN"
        // `meta` keys are UNCONFIRMED (docs/platforms.md): commitHash for git, image for images.
        let meta = node["meta"]
        let url = (node["staticUrl"]?.stringValue ?? node["url"]?.stringValue).map { $0.hasPrefix("http") ? $0 : "https://\($0)" }
        let created = node["createdAt"]?.stringValue.flatMap(RFC3339.date(from:))
        return ObservedDeployment(
            id: DeploymentID(id), service: service, platform: .railway, commitSha: meta?["commitHash"]?.stringValue,
            image: meta?["image"]?.stringValue, status: DeploymentStatus(railway: raw), rawStatus: raw, url: url, createdAt: created,
            dashboardURL: configuration.services[service].map { Self.dashboardURL(configuration, serviceId: $0.serviceId) }
        )
    }
}
