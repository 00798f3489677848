import ArgumentParser
import ClipnetConfig
import ClipnetJSON
import CommandLineSupport
import Foundation
import RedisClient
import WorkerEngine

/// Where the operator commands find the queue: `CLIPNET_ENVIRONMENT` and `REDIS_URL`.
struct QueueOptions: ParsableArguments {
    @Option(help: "Environment (default: $CLIPNET_ENVIRONMENT).") var environment: String?
    @Option(help: "Redis URL (default: $REDIS_URL).") var redisURL: String?

    func queue() async throws -> JobQueue {
        let variables = ProcessInfo.processInfo.environment
        let environment = try environmentName()
        guard let url = redisURL ?? variables["REDIS_URL"], !url.isEmpty else {
            throw ValidationError("set --redis-url or REDIS_URL")
        }
        return JobQueue(connection: try await RedisConnection.connect(to: url), keys: QueueKeys(environment: environment))
    }

    func environmentName() throws -> String {
        guard let environment = environment ?? ProcessInfo.processInfo.environment["CLIPNET_ENVIRONMENT"], !environment.isEmpty else {
            throw ValidationError("set --environment or CLIPNET_ENVIRONMENT")
        }
        return environment
    }

    /// The environment's media folder, as the worker confines payloads to it: `CLOUDINARY_FOLDER`
    /// (unless `--environment` names the environment), else the environment's conventional folder (`staging_clips/`, `prod_clips/`).
    func mediaFolder() throws -> String {
        if environment == nil, let folder = ProcessInfo.processInfo.environment["CLOUDINARY_FOLDER"], !folder.isEmpty { return folder }
        return EnvironmentConventions.cloudinaryFolder(for: try environmentName())
    }
}

/// `clipnet-worker enqueue TYPE JSON`: the shell's way to LPUSH an envelope, after checking the
/// type and the payload against the handler (nothing is pushed for a job it would refuse).
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue", abstract: "Enqueue one job; prints its id.",
        discussion:
            "The type must be a CLIPNET job type and the payload what its handler takes (fields, their types, media paths inside the environment's folder: CLOUDINARY_FOLDER, else <environment>_clips/); otherwise nothing is pushed and the command exits 2 with the reason. --any-type skips both checks for drill types."
    )

    @OptionGroup var queueOptions: QueueOptions
    @Argument(help: "Job type, such as clip:process.") var type: String
    @Argument(help: "Payload as JSON.") var payload: String = "{}"
    @Option(help: "Job id (default: a new UUID).") var id: String?
    @Option(help: "Attempts before the dead set.") var maxAttempts: Int?
    @Option(help: "Run no earlier than this many milliseconds from now.") var delayMs: Int64?
    @Option(help: "Skip the job if a job with this key was already acknowledged.") var idempotencyKey: String?
    @Option(help: "Trace id carried into the logs.") var traceId: String?
    @Flag(help: "Push a type no CLIPNET handler runs (the --noop-type and --crash-type of drills), its payload unchecked.") var anyType = false

    func run() async throws {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8)) else {
            throw WorkerExit.fail("the payload is not JSON: \(payload.prefix(200))", status: WorkerExit.usage)
        }
        if !anyType {
            guard let contract = StandardHandlers.contract(for: type) else {
                let hint = EditDistance.nearest(to: type, among: StandardHandlers.jobTypes).map { "; did you mean '\($0)'?" } ?? ""
                throw WorkerExit.fail(
                    "unknown job type '\(type)'\(hint) (the CLIPNET job types are \(StandardHandlers.jobTypes.joined(separator: ", "))); "
                        + "nothing was enqueued", status: WorkerExit.usage)
            }
            do {
                try contract.validate(value, folder: MediaFolder(try queueOptions.mediaFolder()))
            } catch let failure as JobFailure {
                throw WorkerExit.fail("\(failure.message); nothing was enqueued", status: WorkerExit.usage)
            }
        }
        var envelope = JobEnvelope(type: type, payload: value, maxAttempts: maxAttempts, idempotencyKey: idempotencyKey, traceId: traceId)
        if let id { envelope.id = id }
        if let delayMs { envelope.runAt = envelope.enqueuedAt + delayMs }
        try await queueOptions.queue().enqueue(envelope)
        print(envelope.id)
    }
}
