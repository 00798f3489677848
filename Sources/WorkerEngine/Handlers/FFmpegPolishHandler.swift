import Foundation

/// `ffmpeg:polish`: runs ffmpeg as a subprocess, with a timeout, on media inside the
/// environment's folder (resolved under the local media root).
public struct FFmpegPolishHandler: JobHandler {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var input: String
        public var output: String
        /// Extra ffmpeg arguments between input and output (default: loudness normalisation, faststart).
        public var arguments: [String]?
    }

    public let jobType = "ffmpeg:polish"
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public func handle(_ job: Job) async throws {
        let payload = try job.payload(as: Payload.self)
        let input = try context.folder.confine(payload.input, field: "input")
        let output = try context.folder.confine(payload.output, field: "output")
        let inputPath = "\(context.mediaRoot)/\(input)"
        let outputPath = "\(context.mediaRoot)/\(output)"
        try? FileManager.default.createDirectory(atPath: (outputPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let extra = payload.arguments ?? ["-af", "loudnorm", "-movflags", "+faststart"]
        let result = try await Subprocess.run(context.ffmpegPath, ["-nostdin", "-y", "-i", inputPath] + extra + [outputPath],
                                              timeout: context.ffmpegTimeout)
        guard result.status == 0 else {
            throw JobFailure.transient("ffmpeg exited \(result.status): \(result.output.suffix(400))")
        }
    }
}
