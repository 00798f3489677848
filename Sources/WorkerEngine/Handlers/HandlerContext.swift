public import ClipnetConfig
import Foundation
public import HTTPTransport
public import Logging
import RedisClient

/// What the CLIPNET handlers share: the environment's isolated identifiers, the HTTP client, the
/// RunPod client and its GPU gate, Cloudinary, the results database, the Clipbot endpoints and
/// how to run ffmpeg.
public struct HandlerContext: Sendable {
    public var settings: WorkerSettings
    public var http: HTTPClient?
    public var runpod: RunPodClient?
    /// Caps this environment's in-flight RunPod jobs; nil runs them without a cap (tests).
    public var gpu: GPUGate?
    public var cloudinary: CloudinaryClient?
    public var results: ClipResultsStore?
    /// Endpoints `clipbot:post` and `clipbot:notify` call.
    public var clipbotPostURL: String?
    public var clipbotNotifyURL: String?
    /// The ffmpeg executable (a name looked up in PATH, or a path).
    public var ffmpegPath: String
    public var ffmpegTimeout: Duration
    /// Default ffmpeg arguments between input and output (`FFMPEG_ARGUMENTS`, space-separated).
    public var ffmpegArguments: [String]
    /// Times the calls to RunPod, Cloudinary, ffmpeg and Clipbot (the worker's metrics).
    public var timer: ExternalCallTimer
    /// Where `ffmpeg:polish` makes its per-job folder for media files; nil for the temporary
    /// folder (`TMPDIR`).
    public var scratchRoot: String?

    public static let defaultFFmpegArguments = ["-af", "loudnorm", "-movflags", "+faststart"]

    public init(
        settings: WorkerSettings, http: HTTPClient? = nil, runpod: RunPodClient? = nil, gpu: GPUGate? = nil,
        cloudinary: CloudinaryClient? = nil, results: ClipResultsStore? = nil, clipbotPostURL: String? = nil,
        clipbotNotifyURL: String? = nil, ffmpegPath: String = "ffmpeg", ffmpegTimeout: Duration = .seconds(600),
        ffmpegArguments: [String] = HandlerContext.defaultFFmpegArguments, timer: ExternalCallTimer = ExternalCallTimer(metrics: nil),
        scratchRoot: String? = nil
    ) {
        self.settings = settings
        self.http = http
        self.runpod = runpod
        self.gpu = gpu
        self.cloudinary = cloudinary
        self.results = results
        self.clipbotPostURL = clipbotPostURL
        self.clipbotNotifyURL = clipbotNotifyURL
        self.ffmpegPath = ffmpegPath
        self.ffmpegTimeout = ffmpegTimeout
        self.ffmpegArguments = ffmpegArguments
        self.timer = timer
        self.scratchRoot = scratchRoot
    }

    public var folder: MediaFolder { MediaFolder(settings.cloudinaryFolder) }

    /// The results store, or a permanent failure saying what to configure.
    func requireResults() throws -> ClipResultsStore {
        guard let results else { throw JobFailure.permanent("DATABASE_URL is not configured: the pipeline keeps its results in PostgreSQL") }
        return results
    }

    func requireRunPod() throws -> RunPodClient {
        guard let runpod else { throw JobFailure.permanent("RunPod is not configured (RUNPOD_ENDPOINT_ID or RUNPOD_ENDPOINT_URL)") }
        return runpod
    }

    func requireCloudinary() throws -> CloudinaryClient {
        guard let cloudinary else { throw JobFailure.permanent("Cloudinary is not configured (CLOUDINARY_URL)") }
        return cloudinary
    }

    /// Runs one RunPod job inside the GPU gate (when there is one), timed as a RunPod call.
    func onGPU<T: Sendable>(_ job: Job, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timed: @Sendable () async throws -> T = { [timer] in try await timer.time("runpod", body) }
        guard let gpu else { return try await timed() }
        return try await gpu.withSlot(job: job, timed)
    }

    /// The default GPU cap of an environment: production's work is never capped by default;
    /// every other environment shares the endpoint with it and gets a small share.
    public static func defaultGPUCap(environment: String) -> Int {
        environment == EnvironmentConventions.production ? 64 : 2
    }

    /// From the worker's variables: `RUNPOD_ENDPOINT_ID` or `RUNPOD_ENDPOINT_URL` (`RunPodEndpoint`),
    /// `RUNPOD_API_KEY`, `RUNPOD_RUNSYNC_WAIT_MS`
    /// (submit with `/runsync` and this wait instead of `/run`), `RUNPOD_GPU_CAP` (in-flight RunPod
    /// jobs of the namespace over every replica), `RUNPOD_GPU_LEASE_SECONDS`, `CLIPBOT_POST_URL`,
    /// `CLIPBOT_NOTIFY_URL`, `FFMPEG_PATH`, `FFMPEG_TIMEOUT_SECONDS`, `FFMPEG_ARGUMENTS`,
    /// `DATABASE_URL` (through `settings`) and the Cloudinary variables
    /// (`CloudinaryConfiguration.fromEnvironment`).
    public static func fromEnvironment(
        _ environment: [String: String], settings: WorkerSettings, metrics: WorkerMetrics,
        logger: Logger
    ) throws -> HandlerContext {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let runtime = try CurlRuntime()
        let http = HTTPClient(runtime: runtime, configuration: .init(concurrency: 8, userAgent: "clipnet-worker"))
        var runpod: RunPodClient?
        if let url = try RunPodEndpoint.url(from: environment) {
            let submission: RunPodClient.Submission =
                value("RUNPOD_RUNSYNC_WAIT_MS").flatMap(Int64.init).map { .runSync(wait: .milliseconds($0)) } ?? .run
            runpod = RunPodClient(
                http: http, endpointURL: url, apiKey: value("RUNPOD_API_KEY") ?? "",
                namespace: settings.runpodNamespace, modelPaths: settings.runpodModelPaths, submission: submission)
        }
        let cap =
            try value("RUNPOD_GPU_CAP").map { text -> Int in
                guard let cap = Int(text), cap > 0 else { throw JobFailure.permanent("RUNPOD_GPU_CAP must be a positive integer") }
                return cap
            } ?? defaultGPUCap(environment: settings.environment)
        let leaseSeconds = value("RUNPOD_GPU_LEASE_SECONDS").flatMap(Int64.init) ?? 30
        let redis = RedisConnection(
            url: try RedisURL(parsing: settings.redisURL.reveal()),
            options: .init(clientName: "clipnet-worker.gpu"), logger: logger)
        let keys = QueueKeys(environment: settings.environment)
        let gpu = GPUGate(
            semaphore: GPULeaseSemaphore(
                connection: redis, key: keys.gpuLeases(namespace: settings.runpodNamespace),
                capacity: cap, leaseTTL: .seconds(max(3, leaseSeconds))),
            namespace: settings.runpodNamespace, metrics: metrics)
        let cloudinary = try CloudinaryConfiguration.fromEnvironment(environment).map {
            CloudinaryClient(configuration: $0, folder: MediaFolder(settings.cloudinaryFolder), runtime: runtime)
        }
        let timer = ExternalCallTimer(metrics: metrics)
        let results = settings.postgresURL.map { ClipResultsStore(url: $0.reveal(), logger: logger, timer: timer) }
        return HandlerContext(
            settings: settings, http: http, runpod: runpod, gpu: gpu, cloudinary: cloudinary, results: results,
            clipbotPostURL: value("CLIPBOT_POST_URL"), clipbotNotifyURL: value("CLIPBOT_NOTIFY_URL"),
            ffmpegPath: value("FFMPEG_PATH") ?? "ffmpeg",
            ffmpegTimeout: .seconds(Int64(value("FFMPEG_TIMEOUT_SECONDS") ?? "") ?? 600),
            ffmpegArguments: value("FFMPEG_ARGUMENTS").map { $0.split(separator: " ").map(String.init) } ?? defaultFFmpegArguments,
            timer: timer)
    }

    /// The start-up checks of the pipeline for the job types the worker runs: a RunPod endpoint is
    /// set when a GPU job type runs (`clipnet-worker run` checks every required setting before,
    /// `missingSettings(jobTypes:)`), the results schema is migrated and the Cloudinary folder
    /// exists. Throws `PipelineStartupError` saying what is wrong. A model path or a Clipbot URL
    /// that is not set is a warning: only the stage that needs it fails (permanently, with the
    /// variable's name).
    public func prepare(logger: Logger, jobTypes: [String] = StandardHandlers.jobTypes) async throws {
        func needs(_ setting: RequiredSetting) -> Bool {
            StandardHandlers.contracts.contains { jobTypes.contains($0.jobType) && $0.requiredSettings.contains(setting) }
        }
        guard runpod != nil || !jobTypes.contains(where: RunPodEndpoint.gpuJobTypes.contains) else { throw RunPodEndpoint.missing }
        for (type, variable, url) in [
            ("clipbot:post", "CLIPBOT_POST_URL", clipbotPostURL), ("clipbot:notify", "CLIPBOT_NOTIFY_URL", clipbotNotifyURL),
        ]
        where url == nil && jobTypes.contains(type) {
            logger.warning(
                "A Clipbot URL is not set: its job type fails permanently (dead-lettered) until it is",
                metadata: ["variable": "\(variable)", "job.type": "\(type)"])
        }
        for model in RunPodEndpoint.models where runpod != nil && settings.runpodModelPaths[model.name] == nil {
            logger.warning(
                "A RunPod model path is not set: the job types that use it fail permanently (dead-lettered) until it is",
                metadata: ["variable": "\(model.variable)", "job.types": "\(model.usedBy)"])
        }
        if let results {
            do {
                try await results.migrate()
            } catch {
                throw PipelineStartupError(message: "the results database (DATABASE_URL) is not usable: \(Self.text(error))")
            }
        } else if needs(.database) {
            logger.warning("DATABASE_URL is not set: the clip pipeline's stages will fail (they keep their results in PostgreSQL)")
        }
        if let cloudinary {
            do {
                try await cloudinary.checkFolder()
            } catch let missing as CloudinaryFolderMissing {
                throw PipelineStartupError(message: missing.description)
            } catch {
                throw PipelineStartupError(message: "could not check the Cloudinary folder '\(cloudinary.folder.prefix)': \(Self.text(error))")
            }
        } else if needs(.cloudinary) {
            logger.warning("Cloudinary is not configured: ffmpeg:polish will fail (set CLOUDINARY_URL)")
        }
    }

    private static func text(_ error: any Error) -> String {
        (error as? JobFailure)?.message ?? "\(error)"
    }
}

/// The worker cannot start its pipeline (a missing Cloudinary folder, an unusable database).
public struct PipelineStartupError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The six CLIPNET job handlers.
public enum StandardHandlers {
    public static let jobTypes = ["clip:process", "ffmpeg:polish", "ml:score", "whisper:batch", "clipbot:post", "clipbot:notify"]

    public static func make(context: HandlerContext) -> [any JobHandler] {
        [
            ClipProcessHandler(context: context), FFmpegPolishHandler(context: context), MLScoreHandler(context: context),
            WhisperBatchHandler(context: context), ClipbotPostHandler(context: context), ClipbotNotifyHandler(context: context),
        ]
    }
}
