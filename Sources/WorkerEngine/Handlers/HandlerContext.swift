import ClipnetConfig
import Foundation
import HTTPTransport
import Logging

/// What the CLIPNET handlers share: the environment's isolated identifiers, the HTTP client, the
/// RunPod client, the Clipbot endpoints and how to run ffmpeg.
public struct HandlerContext: Sendable {
    public var settings: WorkerSettings
    public var http: HTTPClient?
    public var runpod: RunPodClient?
    /// Endpoints `clipbot:post` and `clipbot:notify` call.
    public var clipbotPostURL: String?
    public var clipbotNotifyURL: String?
    /// The ffmpeg executable (a name looked up in PATH, or a path).
    public var ffmpegPath: String
    public var ffmpegTimeout: Duration
    /// Local folder holding media files by their media path (`staging_clips/...`).
    public var mediaRoot: String

    public init(settings: WorkerSettings, http: HTTPClient? = nil, runpod: RunPodClient? = nil, clipbotPostURL: String? = nil,
                clipbotNotifyURL: String? = nil, ffmpegPath: String = "ffmpeg", ffmpegTimeout: Duration = .seconds(600),
                mediaRoot: String = "/tmp/clipnet-media") {
        self.settings = settings
        self.http = http
        self.runpod = runpod
        self.clipbotPostURL = clipbotPostURL
        self.clipbotNotifyURL = clipbotNotifyURL
        self.ffmpegPath = ffmpegPath
        self.ffmpegTimeout = ffmpegTimeout
        self.mediaRoot = mediaRoot
    }

    public var folder: MediaFolder { MediaFolder(settings.cloudinaryFolder) }

    /// From the worker's variables: `RUNPOD_ENDPOINT_URL`, `RUNPOD_API_KEY`, `RUNPOD_RUNSYNC_WAIT_MS`
    /// (submit with `/runsync` and this wait instead of `/run`), `CLIPBOT_POST_URL`,
    /// `CLIPBOT_NOTIFY_URL`, `FFMPEG_PATH`, `FFMPEG_TIMEOUT_SECONDS`, `CLIPNET_MEDIA_ROOT`.
    public static func fromEnvironment(_ environment: [String: String], settings: WorkerSettings, logger: Logger) throws -> HandlerContext {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let http = HTTPClient(runtime: try CurlRuntime(), configuration: .init(concurrency: 8, userAgent: "clipnet-worker"))
        var runpod: RunPodClient?
        if let url = value("RUNPOD_ENDPOINT_URL") {
            let submission: RunPodClient.Submission = value("RUNPOD_RUNSYNC_WAIT_MS").flatMap(Int64.init).map { .runSync(wait: .milliseconds($0)) } ?? .run
            runpod = RunPodClient(http: http, endpointURL: url, apiKey: value("RUNPOD_API_KEY") ?? "",
                                  namespace: settings.runpodNamespace, modelPaths: settings.runpodModelPaths, submission: submission)
        }
        return HandlerContext(
            settings: settings, http: http, runpod: runpod, clipbotPostURL: value("CLIPBOT_POST_URL"),
            clipbotNotifyURL: value("CLIPBOT_NOTIFY_URL"), ffmpegPath: value("FFMPEG_PATH") ?? "ffmpeg",
            ffmpegTimeout: .seconds(Int64(value("FFMPEG_TIMEOUT_SECONDS") ?? "") ?? 600),
            mediaRoot: value("CLIPNET_MEDIA_ROOT") ?? "/tmp/clipnet-media")
    }
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
