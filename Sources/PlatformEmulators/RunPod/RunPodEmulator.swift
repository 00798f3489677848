import Foundation
import Hummingbird
import Logging
import Synchronization

/// A loopback RunPod serverless endpoint (../shared/platform-apis.md section 5): `POST /run`,
/// `GET /status/{id}` and `POST /runsync`, Bearer auth, with fault injection for tests: the next
/// jobs can end `FAILED` or `TIMED_OUT`, and the next requests can be answered 429.
///
/// Self-contained (Hummingbird only) so it does not depend on the shared emulator support being
/// merged; a job is `IN_QUEUE` on submit, `IN_PROGRESS` at its first status poll, final at the second.
public final class RunPodEmulator: Sendable {
    public enum Fault: Sendable, Equatable {
        case failed
        case timedOut
    }

    private struct Job {
        var input: [String: Any]
        var polls = 0
        var fault: Fault?
    }

    private struct State: @unchecked Sendable {
        var jobs: [String: Job] = [:]
        var inputs: [[String: String]] = []
        var faults: [Fault] = []
        var rateLimited = 0
    }

    public let port: Int
    public let apiKey: String
    private let state = Mutex(State())

    public init(port: Int, apiKey: String = "test-runpod-key") {
        self.port = port
        self.apiKey = apiKey
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The next submitted jobs end with these faults, in order.
    public func injectJobFaults(_ faults: [Fault]) { state.withLock { $0.faults += faults } }
    /// The next `count` requests are answered 429 with `Retry-After: 0`.
    public func injectRateLimits(_ count: Int) { state.withLock { $0.rateLimited += count } }
    /// The string fields of every submitted `input` (namespace, modelPath, task, ...).
    public var submittedInputs: [[String: String]] { state.withLock { $0.inputs } }

    /// Serves until cancelled.
    public func run() async throws {
        let router = Router()
        router.post("run") { request, context in try await self.submit(request, context: context, sync: false) }
        router.post("runsync") { request, context in try await self.submit(request, context: context, sync: true) }
        router.get("status/:id") { request, context in
            if let refused = self.refusal(request) { return refused }
            let id = context.parameters.get("id") ?? ""
            return self.status(of: id, advance: true)
        }
        router.get("health") { _, _ in "ok" }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                                      logger: Logger(label: "runpod-emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await application.run()
    }

    private func submit(_ request: Request, context: some RequestContext, sync: Bool) async throws -> Response {
        if let refused = refusal(request) { return refused }
        let body = try await request.body.collect(upTo: 10 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let input = object["input"] as? [String: Any]
        else { return Self.json(["error": "input is required"], status: .badRequest) }
        let id = UUID().uuidString.lowercased()
        state.withLock { state in
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            state.jobs[id] = Job(input: input, fault: fault)
            state.inputs.append(input.compactMapValues { $0 as? String })
        }
        if sync {
            _ = status(of: id, advance: true)
            return status(of: id, advance: true)
        }
        return Self.json(["id": id, "status": "IN_QUEUE"])
    }

    private func refusal(_ request: Request) -> Response? {
        guard request.headers[.authorization] == "Bearer \(apiKey)" else { return Self.json(["error": "Unauthorized"], status: .unauthorized) }
        let limited = state.withLock { state -> Bool in
            guard state.rateLimited > 0 else { return false }
            state.rateLimited -= 1
            return true
        }
        if limited {
            var response = Self.json(["error": "rate limited"], status: .tooManyRequests)
            response.headers[.retryAfter] = "0"
            return response
        }
        return nil
    }

    private func status(of id: String, advance: Bool) -> Response {
        let job = state.withLock { state -> Job? in
            guard var job = state.jobs[id] else { return nil }
            if advance { job.polls += 1 }
            state.jobs[id] = job
            return job
        }
        guard let job else { return Self.json(["error": "job not found"], status: .notFound) }
        if job.polls < 2 { return Self.json(["id": id, "status": "IN_PROGRESS"]) }
        switch job.fault {
        case .failed?: return Self.json(["id": id, "status": "FAILED", "error": "injected failure"])
        case .timedOut?: return Self.json(["id": id, "status": "TIMED_OUT"])
        case nil:
            let output: [String: Any] = ["task": job.input["task"] ?? "", "namespace": job.input["namespace"] ?? "", "ok": true]
            return Self.json(["id": id, "status": "COMPLETED", "output": output, "delayTime": 1, "executionTime": 2])
        }
    }

    private static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
