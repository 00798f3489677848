import ArgumentParser
import Foundation
import RedisClient
import WorkerEngine
import ClipnetJSON

/// Where the operator commands find the queue: `CLIPNET_ENVIRONMENT` and `REDIS_URL`.
struct QueueOptions: ParsableArguments {
    @Option(help: "Environment (default: $CLIPNET_ENVIRONMENT).") var environment: String?
    @Option(help: "Redis URL (default: $REDIS_URL).") var redisURL: String?

    func queue() async throws -> JobQueue {
        let variables = ProcessInfo.processInfo.environment
        guard let environment = environment ?? variables["CLIPNET_ENVIRONMENT"], !environment.isEmpty else {
            throw ValidationError("set --environment or CLIPNET_ENVIRONMENT")
        }
        guard let url = redisURL ?? variables["REDIS_URL"], !url.isEmpty else {
            throw ValidationError("set --redis-url or REDIS_URL")
        }
        return JobQueue(connection: try await RedisConnection.connect(to: url), keys: QueueKeys(environment: environment))
    }
}

/// `clipnet-worker enqueue TYPE JSON`: the shell's way to LPUSH an envelope.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enqueue", abstract: "Enqueue one job; prints its id.")

    @OptionGroup var queueOptions: QueueOptions
    @Argument(help: "Job type, such as clip:process.") var type: String
    @Argument(help: "Payload as JSON.") var payload: String = "{}"
    @Option(help: "Job id (default: a new UUID).") var id: String?
    @Option(help: "Attempts before the dead set.") var maxAttempts: Int?
    @Option(help: "Run no earlier than this many milliseconds from now.") var delayMs: Int64?
    @Option(help: "Skip the job if a job with this key was already acknowledged.") var idempotencyKey: String?
    @Option(help: "Trace id carried into the logs.") var traceId: String?

    func run() async throws {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8)) else {
            throw ValidationError("the payload is not JSON")
        }
        var envelope = JobEnvelope(type: type, payload: value, maxAttempts: maxAttempts, idempotencyKey: idempotencyKey, traceId: traceId)
        if let id { envelope.id = id }
        if let delayMs { envelope.runAt = envelope.enqueuedAt + delayMs }
        try await queueOptions.queue().enqueue(envelope)
        print(envelope.id)
    }
}
