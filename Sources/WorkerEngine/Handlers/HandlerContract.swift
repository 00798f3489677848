public import ClipnetJSON

/// What a CLIPNET handler promises its producers and asks of its deployment: the payload it
/// takes, checked by `clipnet-worker enqueue` before a job is pushed and by the handler before it
/// runs (one definition for both), and the settings it cannot run without, checked by
/// `clipnet-worker run` before it starts.
public protocol HandlerContract: SendableMetatype {
    associatedtype Payload: Decodable & Sendable
    static var jobType: String { get }
    static var requiredSettings: [RequiredSetting] { get }
    /// Checks beyond decoding (non-empty ids, media paths inside the environment's folder);
    /// throws `JobFailure.invalidPayload` naming the field.
    static func check(_ payload: Payload, folder: MediaFolder) throws
}

extension HandlerContract {
    /// The payload as the handler takes it, or `JobFailure.invalidPayload` saying what is wrong.
    public static func validated(_ value: JSONValue, folder: MediaFolder) throws -> Payload {
        let payload = try Job.decode(value, as: Payload.self, jobType: jobType)
        try check(payload, folder: folder)
        return payload
    }
}

/// A setting without which a handler fails every job it takes: the worker refuses to start when
/// one the job types it runs need is missing.
public enum RequiredSetting: String, Sendable, CaseIterable {
    case database, runpodEndpoint, cloudinary

    /// The variables that provide it, as the operator sets them.
    public var variables: String {
        switch self {
        case .database: "DATABASE_URL"
        case .runpodEndpoint: "RUNPOD_ENDPOINT_ID or RUNPOD_ENDPOINT_URL"
        case .cloudinary: "CLOUDINARY_URL (or CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET)"
        }
    }

    /// The refusal line: what is missing, which variables to set, which job types need it and why.
    public func refusal(jobTypes: [String]) -> String {
        let types = jobTypes.joined(separator: ", ")
        return switch self {
        case .database: "DATABASE_URL is not set: \(types) keep their results in PostgreSQL"
        case .runpodEndpoint:
            "RunPod is not configured: set RUNPOD_ENDPOINT_ID (the shared endpoint's id; the worker calls "
                + "\(RunPodEndpoint.apiBaseURL)/<id>) or RUNPOD_ENDPOINT_URL: \(types) run on the GPU"
        case .cloudinary: "Cloudinary is not configured: set \(variables): \(types) move media through Cloudinary"
        }
    }

    func isSatisfied(by context: HandlerContext) -> Bool {
        switch self {
        case .database: context.results != nil
        case .runpodEndpoint: context.runpod != nil
        case .cloudinary: context.cloudinary != nil
        }
    }
}

/// The worker may not start: settings the job types it would run need are missing.
public struct MissingHandlerSettings: Error, Sendable, CustomStringConvertible {
    /// Each missing setting with the job types that need it, in `RequiredSetting` order.
    public let missing: [(setting: RequiredSetting, jobTypes: [String])]

    /// One line per missing setting, then how to start without it.
    public var description: String {
        let lines = missing.map { "  - " + $0.setting.refusal(jobTypes: $0.jobTypes) }
        return "a job type's required setting is missing:\n" + lines.joined(separator: "\n")
            + "\n  Set it, or run only the job types that do not need it (--job-type TYPE, repeatable)."
    }
}

/// One handler's contract with its types erased, as `StandardHandlers.contracts` lists them.
public struct HandlerContractEntry: Sendable {
    public let jobType: String
    public let requiredSettings: [RequiredSetting]
    private let check: @Sendable (JSONValue, MediaFolder) throws -> Void

    init<Contract: HandlerContract>(_ contract: Contract.Type) {
        jobType = Contract.jobType
        requiredSettings = Contract.requiredSettings
        check = { _ = try Contract.validated($0, folder: $1) }
    }

    /// Throws `JobFailure.invalidPayload` for a payload the handler would dead-letter unrun.
    public func validate(_ payload: JSONValue, folder: MediaFolder) throws {
        try check(payload, folder)
    }
}

extension StandardHandlers {
    /// The six handlers' contracts, in `jobTypes` order.
    public static let contracts: [HandlerContractEntry] = [
        HandlerContractEntry(ClipProcessHandler.self), HandlerContractEntry(FFmpegPolishHandler.self),
        HandlerContractEntry(MLScoreHandler.self), HandlerContractEntry(WhisperBatchHandler.self),
        HandlerContractEntry(ClipbotPostHandler.self), HandlerContractEntry(ClipbotNotifyHandler.self),
    ]

    public static func contract(for jobType: String) -> HandlerContractEntry? {
        contracts.first { $0.jobType == jobType }
    }
}

extension HandlerContext {
    /// The required settings of `jobTypes` that this context lacks, or nil when none is.
    public func missingSettings(jobTypes: [String]) -> MissingHandlerSettings? {
        let entries = StandardHandlers.contracts.filter { jobTypes.contains($0.jobType) }
        let missing = RequiredSetting.allCases.compactMap { setting -> (RequiredSetting, [String])? in
            let needing = entries.filter { $0.requiredSettings.contains(setting) }.map(\.jobType)
            return needing.isEmpty || setting.isSatisfied(by: self) ? nil : (setting, needing)
        }
        return missing.isEmpty ? nil : MissingHandlerSettings(missing: missing)
    }
}
