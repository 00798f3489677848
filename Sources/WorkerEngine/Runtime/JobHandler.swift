public import ClipnetJSON
public import Logging

/// The code that runs one job type. Handlers validate their payload first and throw
/// `JobFailure.invalidPayload` for a bad one (no retry: the dead set gets the message).
/// Any other thrown error is retried with backoff until the job's attempts are used up.
public protocol JobHandler: Sendable {
    /// The `type` of the envelopes this handler runs, such as `clip:process`.
    var jobType: String { get }
    func handle(_ job: Job) async throws
}

/// One delivery of a job to a handler.
public struct Job: Sendable {
    public let envelope: JobEnvelope
    /// 1 for the first delivery after enqueue, 2 for the first retry, ...
    public let attempt: Int
    public let maxAttempts: Int
    /// The queue this job came from, for handlers that enqueue follow-up jobs.
    public let queue: JobQueue
    private let baseLogger: Logger

    init(envelope: JobEnvelope, attempt: Int, maxAttempts: Int, baseLogger: Logger, queue: JobQueue) {
        self.envelope = envelope
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.baseLogger = baseLogger
        self.queue = queue
    }

    /// Carries `job.id`, `job.type`, `job.attempt`, `trace.id` and the worker's metadata
    /// (environment, worker id). Built when asked for: most jobs never log, and copying a
    /// logger's metadata for each of thousands of jobs a second is not free.
    public var logger: Logger { Self.logger(base: baseLogger, envelope: envelope, attempt: attempt) }

    static func logger(base: Logger, envelope: JobEnvelope, attempt: Int) -> Logger {
        var logger = base
        logger[metadataKey: "job.id"] = .string(envelope.id)
        logger[metadataKey: "job.type"] = .string(envelope.type)
        logger[metadataKey: "job.attempt"] = .stringConvertible(attempt)
        if let traceId = envelope.traceId { logger[metadataKey: "trace.id"] = .string(traceId) }
        return logger
    }

    public var id: String { envelope.id }
    public var type: String { envelope.type }
    public var payload: JSONValue { envelope.payload }

    /// The payload decoded as `T`; a mismatch is an `invalidPayload` failure naming the field.
    public func payload<T: Decodable>(as type: T.Type) throws -> T {
        try Self.decode(envelope.payload, as: T.self, jobType: self.type)
    }

    /// `value` decoded as `T`; a mismatch is an `invalidPayload` failure naming the job type and
    /// the field (what a delivery gets, and what `clipnet-worker enqueue` reports before pushing).
    public static func decode<T: Decodable>(_ value: JSONValue, as type: T.Type, jobType: String) throws -> T {
        do {
            return try value.decode(T.self)
        } catch let error as DecodingError {
            throw JobFailure.invalidPayload("\(jobType) payload: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            context.codingPath.isEmpty
                ? "not a JSON object"
                : "wrong type for '\(context.codingPath.map(\.stringValue).joined(separator: "."))' (expected \(Self.kind(of: expected)))"
        case .dataCorrupted(let context):
            "bad value for '\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        @unknown default: "invalid"
        }
    }

    /// A Swift type as a JSON reader would name it.
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [String].Type, is [Any].Type: "an array"
        default: "\(type)"
        }
    }
}

/// The handlers a worker runs, by job type.
public struct JobRegistry: Sendable {
    public private(set) var handlers: [String: any JobHandler] = [:]

    public init(_ handlers: [any JobHandler] = []) {
        for handler in handlers { register(handler) }
    }

    public mutating func register(_ handler: any JobHandler) {
        precondition(handlers[handler.jobType] == nil, "two handlers for \(handler.jobType)")
        handlers[handler.jobType] = handler
    }

    public var types: [String] { handlers.keys.sorted() }

    public subscript(type: String) -> (any JobHandler)? { handlers[type] }
}
