import Foundation
import HTTPTransport
import ClipnetJSON

/// Calls the one shared RunPod serverless endpoint: `POST /run`, then `GET /status/{id}` until a
/// final status. Every request carries the environment's namespace and model paths, so a staging
/// worker can only ever ask for staging's models and outputs. The API key is sent as a Bearer
/// token and never logged or put into an error.
public struct RunPodClient: Sendable {
    public let endpointURL: String
    public let namespace: String
    public let modelPaths: [String: String]
    public var pollInterval: Duration = .milliseconds(500)
    /// Bound on one job from submit to a final status.
    public var jobTimeout: Duration = .seconds(900)
    /// 429 answers tolerated per call before the job fails (and is retried by the queue).
    public var rateLimitRetries = 5
    private let http: HTTPClient
    private let apiKey: String

    public init(http: HTTPClient, endpointURL: String, apiKey: String, namespace: String, modelPaths: [String: String]) {
        self.http = http
        self.endpointURL = endpointURL.hasSuffix("/") ? String(endpointURL.dropLast()) : endpointURL
        self.apiKey = apiKey
        self.namespace = namespace
        self.modelPaths = modelPaths
    }

    /// Runs `task` on the model named `model` (a key of `modelPaths`) and returns the job's output.
    /// - Throws: `JobFailure` (`.transient` for FAILED, TIMED_OUT, CANCELLED, 429 and 5xx;
    ///   `.permanent` for a missing model or another 4xx).
    public func run(task: String, model: String, input: [String: JSONValue]) async throws -> JSONValue {
        guard let modelPath = modelPaths[model] else {
            throw JobFailure.permanent("no RunPod model path configured for '\(model)' (set RUNPOD_MODEL_\(model.uppercased()))")
        }
        var body = input
        body["task"] = .string(task)
        body["namespace"] = .string(namespace)
        body["model"] = .string(model)
        body["modelPath"] = .string(modelPath)
        body["modelPaths"] = .object(modelPaths.mapValues { .string($0) })
        let submitted = try await call(.post, "/run", body: .object(["input": .object(body)]))
        guard case .string(let id)? = submitted["id"] else { throw JobFailure.transient("RunPod /run answered without a job id") }
        let clock = ContinuousClock()
        let deadline = clock.now + jobTimeout
        var status = submitted
        while true {
            switch status["status"] {
            case .string("COMPLETED")?: return status["output"] ?? .null
            case .string("FAILED")?: throw JobFailure.transient("RunPod job \(id) FAILED: \(Self.errorText(status))")
            case .string("TIMED_OUT")?: throw JobFailure.transient("RunPod job \(id) TIMED_OUT")
            case .string("CANCELLED")?: throw JobFailure.transient("RunPod job \(id) CANCELLED")
            default: break
            }
            guard clock.now < deadline else { throw JobFailure.transient("RunPod job \(id) not finished after \(jobTimeout)") }
            try await Task.sleep(for: pollInterval)
            status = try await call(.get, "/status/\(id)", body: nil)
        }
    }

    private func call(_ method: HTTPMethod, _ path: String, body: JSONValue?) async throws -> JSONValue {
        var rateLimited = 0
        while true {
            var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
            headers.set("Authorization", "Bearer \(apiKey)")
            let request = HTTPRequest(method: method, url: endpointURL + path, headers: headers,
                                      body: try body.map { Array(try JSONEncoder().encode($0)) })
            let response: HTTPResponse
            do {
                response = try await http.send(request)
            } catch {
                throw JobFailure.transient("RunPod \(method) \(path.split(separator: "/").first ?? ""): \(error)")
            }
            if response.status == 429 {
                rateLimited += 1
                guard rateLimited <= rateLimitRetries else { throw JobFailure.transient("RunPod rate limit (429) persisted") }
                try await Task.sleep(for: response.retryAfter() ?? .milliseconds(200 * (1 << min(rateLimited, 6))))
                continue
            }
            guard response.isSuccess else {
                let text = "RunPod \(path.hasPrefix("/run") ? "/run" : "/status") answered \(response.status)"
                throw (400..<500).contains(response.status) ? JobFailure.permanent(text) : JobFailure.transient(text)
            }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
                throw JobFailure.transient("RunPod answered with a body that is not JSON")
            }
            return value
        }
    }

    private static func errorText(_ status: JSONValue) -> String {
        if case .string(let text)? = status["error"] { return String(text.prefix(300)) }
        return "no error message"
    }
}
