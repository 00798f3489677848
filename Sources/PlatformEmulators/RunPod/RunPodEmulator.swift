public import ClipnetJSON
import Foundation
import Synchronization

/// A loopback RunPod serverless endpoint (the calls the worker makes, docs/worker.md) on the shared
/// emulator machinery: `POST /run`, `POST /runsync?wait=<ms>`, `GET /status/{id}`,
/// `POST /cancel/{id}` and `GET /health`, with the API key as `Authorization: Bearer <key>` (or bare,
/// as some of RunPod's examples send it).
///
/// A job is `IN_QUEUE`, then `IN_PROGRESS`, then final (`Timings`), computed from the time since it
/// was submitted (`PhasePlan`). `/runsync` waits until the job is final or `wait` ms have passed
/// (clamped to 1000...300000 as the real API documents) and answers with the job's status then.
///
/// Fault injection: the next jobs can end `FAILED` or `TIMED_OUT`, or be held `IN_PROGRESS` until
/// `/status` has been asked about them a number of times (so `/runsync` cannot finish them and a
/// client must fall back to polling); the next requests can be answered 429 (`injectRateLimits`,
/// or the shared `faults` and the admin endpoint).
public final class RunPodEmulator: EmulatedPlatform {
    public enum Fault: Sendable, Equatable {
        /// The job ends `FAILED` with an error message.
        case failed
        /// The job ends `TIMED_OUT`.
        case timedOut
        /// The job stays `IN_PROGRESS` until `/status` has been asked about it `statusPolls` times,
        /// then is `COMPLETED`.
        case heldInProgress(statusPolls: Int)
    }

    public struct Timings: Sendable {
        public var queued: Duration
        public var running: Duration

        public init(queued: Duration = .milliseconds(10), running: Duration = .milliseconds(20)) {
            self.queued = queued
            self.running = running
        }
    }

    public struct Configuration: Sendable {
        public var apiKey: String
        public var timings: Timings

        public init(apiKey: String = "test-runpod-key", timings: Timings = Timings()) {
            self.apiKey = apiKey
            self.timings = timings
        }
    }

    struct Job {
        var input: JSONValue
        var submittedAt: Date
        var fault: Fault?
        var statusPolls = 0
        var cancelled = false
    }

    struct State {
        var jobs: [String: Job] = [:]
        var inputs: [[String: String]] = []
        var faults: [Fault] = []
    }

    public let configuration: Configuration
    /// Every API request received, shared with the host the emulator starts.
    public let log = RequestLog()
    /// Transport faults (429, 5xx, delays), shared with the host the emulator starts.
    public let faults = FaultInjector()
    let state = Mutex(State())
    public var errorRenderer: any PlatformErrorRenderer { RunPodErrorRenderer() }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var apiKey: String { configuration.apiKey }

    /// Starts serving on 127.0.0.1 (port 0); the endpoint URL to give a client is the server's `baseURL`.
    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self, log: log, faults: faults), name: "runpod-emulator")
    }

    // MARK: Faults and inspection

    /// The next submitted jobs end with these faults, in order.
    public func injectJobFaults(_ faults: [Fault]) { state.withLock { $0.faults += faults } }

    /// The next `count` requests are answered 429 with this `Retry-After`.
    public func injectRateLimits(_ count: Int, retryAfter: String = "0") {
        faults.inject(.rateLimit(retryAfter: retryAfter), count: count)
    }

    /// The string fields of every submitted `input` (namespace, modelPath, task, ...), in order.
    public var submittedInputs: [[String: String]] { state.withLock { $0.inputs } }

    // MARK: EmulatedPlatform

    public func operationName(for request: EmulatorRequest) -> String? { nil }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let authorization = request.header("authorization") ?? ""
        guard authorization == "Bearer \(apiKey)" || authorization == apiKey else {
            return RunPodError.response(401, "Unauthorized")
        }
        let s = request.pathSegments
        switch (request.method, s.count) {
        case ("POST", 1) where s[0] == "run":
            return submit(request).response
        case ("POST", 1) where s[0] == "runsync":
            return await runSync(request)
        case ("GET", 2) where s[0] == "status":
            return status(of: s[1], countingPoll: true)
        case ("POST", 2) where s[0] == "cancel":
            return cancel(s[1])
        case ("GET", 1) where s[0] == "health":
            return health()
        default:
            return RunPodError.response(404, "not found")
        }
    }

    /// Admin actions (`POST /_emulator/<action>`), the HTTP twins of `injectJobFaults`:
    /// - `faults/job-failed` `{"count"?:1}`, `faults/job-timed-out` `{"count"?:1}`
    /// - `faults/job-held` `{"count"?:1, "statusPolls":N}`
    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? {
        let count = max(0, Int(body["count"]?.numberValue ?? 1))
        let fault: Fault
        switch action {
        case "faults/job-failed": fault = .failed
        case "faults/job-timed-out": fault = .timedOut
        case "faults/job-held":
            guard let polls = body["statusPolls"]?.numberValue, polls >= 0 else { return AdminReply.badRequest("missing number field statusPolls") }
            fault = .heldInProgress(statusPolls: Int(polls))
        default: return nil
        }
        injectJobFaults(Array(repeating: fault, count: count))
        return AdminReply.ok
    }

    // MARK: Operations

    private func submit(_ request: EmulatorRequest) -> (response: EmulatorResponse, id: String?) {
        guard let body = request.json?.objectValue else { return (RunPodError.response(400, "the body must be a JSON object"), nil) }
        guard let input = body["input"], input.objectValue != nil else { return (RunPodError.response(400, "input is required"), nil) }
        let id = UUID().uuidString.lowercased() + "-u1"
        state.withLock { state in
            let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
            state.jobs[id] = Job(input: input, submittedAt: Date(), fault: fault)
            state.inputs.append((input.objectValue ?? [:]).compactMapValues(\.stringValue))
        }
        return (.json(["id": .string(id), "status": "IN_QUEUE"]), id)
    }

    private func runSync(_ request: EmulatorRequest) async -> EmulatorResponse {
        let requested = request.queryValue("wait").flatMap(Int.init) ?? 90_000
        let wait = Duration.milliseconds(min(300_000, max(1000, requested)))
        let (submitted, id) = submit(request)
        guard let id else { return submitted }
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while true {
            let (answer, final) = statusAnswer(of: id, countingPoll: false)
            if final || clock.now >= deadline { return answer }
            try? await Task.sleep(for: min(.milliseconds(5), deadline - clock.now))
        }
    }

    private func status(of id: String, countingPoll: Bool) -> EmulatorResponse {
        statusAnswer(of: id, countingPoll: countingPoll).response
    }

    private func statusAnswer(of id: String, countingPoll: Bool) -> (response: EmulatorResponse, final: Bool) {
        let now = Date()
        let timings = configuration.timings
        let job = state.withLock { state -> Job? in
            if countingPoll { state.jobs[id]?.statusPolls += 1 }
            return state.jobs[id]
        }
        guard let job else { return (RunPodError.response(404, "job \(id) not found"), true) }
        let elapsed = job.submittedAt.elapsed(until: now)
        var status = PhasePlan([.init("IN_QUEUE", for: timings.queued), .init("IN_PROGRESS", for: timings.running), .init("DONE", for: nil)])
            .status(after: elapsed)
        if job.cancelled { status = "CANCELLED" }
        if status == "DONE", case .heldInProgress(let polls)? = job.fault, job.statusPolls < polls { status = "IN_PROGRESS" }
        let delay = Int(Self.milliseconds(min(elapsed, timings.queued)))
        var answer: [String: JSONValue] = ["id": .string(id), "status": .string(status), "delayTime": .number(Double(delay))]
        switch (status, job.fault) {
        case ("DONE", .failed?):
            answer["status"] = "FAILED"
            answer["error"] = "injected failure"
        case ("DONE", .timedOut?):
            answer["status"] = "TIMED_OUT"
        case ("DONE", _):
            answer["status"] = "COMPLETED"
            answer["executionTime"] = .number(Double(Self.milliseconds(timings.running)))
            answer["output"] = Self.output(for: job.input)
        default:
            break
        }
        let final = !["IN_QUEUE", "IN_PROGRESS"].contains(answer["status"]?.stringValue ?? "")
        return (.json(.object(answer)), final)
    }

    /// A deterministic output per task, in the shapes CLIPNET's RunPod handlers answer (the
    /// worker's docs, "RunPod outputs"): `caption` -> `caption`, `motion` -> `motion`,
    /// `transcribe` -> `transcripts` by clip id, `score` -> `score` in [0, 1). Every output also
    /// carries `task`, `namespace` and `ok`, so a test can see which request produced it.
    public static func output(for input: JSONValue) -> JSONValue {
        let task = input["task"]?.stringValue ?? ""
        let media = input["media"]?.stringValue ?? ""
        var output: [String: JSONValue] = ["task": input["task"] ?? .null, "namespace": input["namespace"] ?? .null, "ok": true]
        switch task {
        case "caption":
            output["caption"] = .string("\(input["model"]?.stringValue ?? "?") caption of \(media)")
        case "motion":
            let value = Self.unitHash(media)
            output["motion"] = ["score": .number(value), "segments": .number(Double(1 + Int(value * 10)))]
        case "transcribe":
            let clipIds = (input["clipIds"]?.arrayValue ?? []).compactMap(\.stringValue)
            let media = (input["media"]?.arrayValue ?? []).compactMap(\.stringValue)
            output["transcripts"] = .object(
                Dictionary(
                    zip(clipIds, media).map { ($0, JSONValue.string("transcript of \($1)")) },
                    uniquingKeysWith: { first, _ in first }))
        case "score":
            output["score"] = .number(Self.unitHash(input["clipId"]?.stringValue ?? media))
        default:
            break
        }
        return .object(output)
    }

    /// A stable number in [0, 1) for a string (FNV-1a), so outputs repeat across runs.
    static func unitHash(_ text: String) -> Double {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return Double(hash % 10_000) / 10_000
    }

    private func cancel(_ id: String) -> EmulatorResponse {
        let found = state.withLock { state -> Bool in
            guard state.jobs[id] != nil else { return false }
            state.jobs[id]!.cancelled = true
            return true
        }
        guard found else { return RunPodError.response(404, "job \(id) not found") }
        return .json(["id": .string(id), "status": "CANCELLED"])
    }

    private func health() -> EmulatorResponse {
        let now = Date()
        let timings = configuration.timings
        let counts = state.withLock { state in
            state.jobs.values.reduce(into: (queued: 0, running: 0, done: 0)) { counts, job in
                let elapsed = job.submittedAt.elapsed(until: now)
                if elapsed < timings.queued {
                    counts.queued += 1
                } else if elapsed < timings.queued + timings.running {
                    counts.running += 1
                } else {
                    counts.done += 1
                }
            }
        }
        return .json([
            "jobs": [
                "inQueue": .number(Double(counts.queued)), "inProgress": .number(Double(counts.running)),
                "completed": .number(Double(counts.done)), "failed": 0, "retried": 0,
            ],
            "workers": ["idle": 1, "running": 0],
        ])
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// RunPod's error shape: `{"error": "<message>"}` with the HTTP status.
struct RunPodErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        .json(["error": "rate limit exceeded"], status: 429, headers: ["Retry-After": retryAfter])
    }

    func serverError(status: Int) -> EmulatorResponse {
        RunPodError.response(status, "internal server error")
    }
}

enum RunPodError {
    static func response(_ status: Int, _ message: String) -> EmulatorResponse {
        .json(["error": .string(message)], status: status)
    }
}
