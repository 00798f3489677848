public import ClipnetJSON
import Foundation
public import HTTPTransport

/// Calls the one shared RunPod serverless endpoint: `POST /run` then `GET /status/{id}` until a
/// final status, or `POST /runsync?wait=<ms>` (which answers with the result when the job finishes
/// within `wait`, and otherwise with its id and a status that is not final yet, after which the
/// client polls `/status/{id}` as for `/run`). Every request carries the environment's namespace and
/// model paths, so a staging worker can only ever ask for staging's models and outputs. The API key
/// is sent as a Bearer token and never logged or put into an error.
public struct RunPodClient: Sendable {
    /// How a job is submitted.
    public enum Submission: Sendable, Hashable {
        /// `POST /run`, then poll `/status/{id}` (results kept 30 min; payload up to 10 MB).
        case run
        /// `POST /runsync?wait=<ms>`: one request for a job that finishes within `wait` (clamped to
        /// 1 s...300 s, the API's range); polls `/status/{id}` after that. Results are kept 1 min.
        case runSync(wait: Duration)
    }

    public let endpointURL: String
    public let namespace: String
    public let modelPaths: [String: String]
    public var submission: Submission = .run
    public var pollInterval: Duration = .milliseconds(500)
    /// Bound on one job from submit to a final status.
    public var jobTimeout: Duration = .seconds(900)
    /// 429 answers tolerated per call before the job fails (and is retried by the queue).
    public var rateLimitRetries = 5
    /// Shared by every copy of this client: a 429 delays all of this worker's calls to the endpoint.
    public let backoff = EndpointBackoff()
    private let http: HTTPClient
    private let apiKey: String

    public init(
        http: HTTPClient, endpointURL: String, apiKey: String, namespace: String, modelPaths: [String: String],
        submission: Submission = .run
    ) {
        self.http = http
        self.endpointURL = endpointURL.hasSuffix("/") ? String(endpointURL.dropLast()) : endpointURL
        self.apiKey = apiKey
        self.namespace = namespace
        self.modelPaths = modelPaths
        self.submission = submission
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
        let clock = ContinuousClock()
        let deadline = clock.now + jobTimeout
        let submitted: JSONValue
        switch submission {
        case .run:
            submitted = try await call(.post, "/run", body: .object(["input": .object(body)]))
        case .runSync(let wait):
            let milliseconds = min(300_000, max(1000, Self.milliseconds(wait)))
            submitted = try await call(
                .post, "/runsync?wait=\(milliseconds)", body: .object(["input": .object(body)]),
                timeout: .milliseconds(milliseconds) + .seconds(30))
        }
        guard case .string(let id)? = submitted["id"] else { throw JobFailure.transient("RunPod answered a submit without a job id") }
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

    private func call(_ method: HTTPMethod, _ path: String, body: JSONValue?, timeout: Duration = .seconds(30)) async throws -> JSONValue {
        let operation = "/" + (path.dropFirst().split(whereSeparator: { $0 == "/" || $0 == "?" }).first ?? "")
        var rateLimited = 0
        while true {
            var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
            headers.set("Authorization", "Bearer \(apiKey)")
            let request = HTTPRequest(
                method: method, url: endpointURL + path, headers: headers,
                body: body.map(\.serialized), timeout: timeout)
            let response: HTTPResponse
            try await backoff.waitTurn()
            do {
                response = try await http.send(request)
            } catch {
                throw JobFailure.transient("RunPod \(method) \(operation): \(error)")
            }
            if response.status == 429 {
                rateLimited += 1
                guard rateLimited <= rateLimitRetries else { throw JobFailure.transient("RunPod rate limit (429) persisted") }
                backoff.rateLimited(for: response.retryAfter() ?? .milliseconds(200 * (1 << min(rateLimited, 6))))
                continue
            }
            guard response.isSuccess else {
                let text = "RunPod \(operation) answered \(response.status)"
                throw (400..<500).contains(response.status) ? JobFailure.permanent(text) : JobFailure.transient(text)
            }
            guard let value = JSONValue.parse(response.body) else {
                throw JobFailure.transient("RunPod answered with a body that is not JSON")
            }
            return value
        }
    }

    private static func errorText(_ status: JSONValue) -> String {
        if case .string(let text)? = status["error"] { return String(text.prefix(300)) }
        return "no error message"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
